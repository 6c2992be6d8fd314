"""Render ``results/REPORT.md`` from claim records, figure captions and (optionally) step-cost ratios.

``write_report(claims, captions, out_path, step_costs)`` is a pure rendering step: the same input gives
the same bytes (no timestamps, no dict-order or set-order dependence beyond the input's own order).
Claims appear in the order of their first record; a record's framework rows keep the input order.
"""

from __future__ import annotations

import math
from numbers import Number
from pathlib import Path
from typing import Any

import pandas as pd

NA = "n/a"
STEP_COST_FIGURE = "figures/step_cost.png"
STEP_COST_COLUMNS = {
    "framework": "framework",
    "device": "device",
    "distribution": "tangents",
    "fg_over_jvp": "t(fg_step) / t(jvp_only)",
    "r_f": "R_f = t(fg_step) / t(forward_only)",
    "r_b": "R_b = t(bp_step) / t(forward_only)",
    "bp_over_fg": "t(bp_step) / t(fg_step)",
}
HOW_TO_READ = (
    "Each row below is one claim checked on one (framework, device) slice of the experiment tables. "
    "The verdict is one of **reproduced** (the measured quantity, with its confidence interval, lies inside "
    "the claim's threshold), **partial** (some configurations reproduce the claim and some refute it), "
    "**not reproduced** (the interval lies outside the threshold, or a test rejects the claim) and "
    "**inconclusive** (the interval straddles the threshold: more samples are needed to decide). "
    "*value* and *95% CI* are the claim's headline number (its metric says which); the thresholds are "
    "set in `benchmarks/claims/registry.py` and nowhere else. Each claim's section below gives the "
    "per-configuration details and the figure, whose caption says what ran, where, and from which commit."
)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt(value: Any) -> str:
    """A table cell: NaN/None -> 'n/a', floats to 4 significant figures, pipes escaped."""
    if _is_missing(value):
        return NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Number) and not isinstance(value, int):
        value = float(value)
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value == int(value) and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text


def _ci(low: Any, high: Any) -> str:
    if _is_missing(low) and _is_missing(high):
        return NA
    return f"[{fmt(low)}, {fmt(high)}]"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _paper_short(paper: str) -> str:
    """'Gradients without Backpropagation (Baydin et al. 2022)' -> 'Baydin et al. 2022'."""
    if paper.endswith(")") and "(" in paper:
        return paper[paper.rindex("(") + 1 : -1]
    return paper


def _stem(figure: str) -> str:
    return Path(figure).stem if figure else ""


def _anchor(claim: str) -> str:
    return "claim-" + "".join(ch for ch in claim.lower() if ch.isalnum() or ch == "-")


def _details_tables(details: list[dict]) -> list[str]:
    """The record's details as small tables, one per ``part`` (columns: keys with any value)."""
    if not details:
        return ["_no details_", ""]
    parts: dict[str, list[dict]] = {}
    for row in details:
        parts.setdefault(str(row.get("part", "")), []).append(row)
    lines: list[str] = []
    for part, rows in parts.items():
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k != "part" and k not in columns]
        columns = [c for c in columns if any(not _is_missing(r.get(c)) for r in rows)]
        if part:
            lines += [f"*{part}*", ""]
        lines += _table(columns, [[fmt(r.get(c)) for c in columns] for r in rows])
        lines.append("")
    return lines


def _figure_block(figure: str, captions: dict[str, str]) -> list[str]:
    if not figure:
        return []
    stem = _stem(figure)
    caption = captions.get(stem)
    lines = [f"![{stem}]({figure})", ""]
    lines += [f"*{caption}*" if caption else f"*(figure {stem}: no caption; was it drawn?)*", ""]
    return lines


def write_report(
    claims: list[dict], captions: dict[str, str], out_path: Path, step_costs: pd.DataFrame | None = None
) -> None:
    """Write the markdown report: summary table, one section per claim, step cost, provenance footer."""
    out_path = Path(out_path)
    order: list[str] = []
    by_claim: dict[str, list[dict]] = {}
    for record in claims:
        claim = str(record.get("claim", "?"))
        if claim not in by_claim:
            order.append(claim)
        by_claim.setdefault(claim, []).append(record)

    lines = [
        "# Training without backpropagation: reproduction report",
        "",
        "## How to read this",
        "",
        HOW_TO_READ,
        "",
        "## Verdicts",
        "",
    ]
    header = ["claim", "paper", "framework", "device", "verdict", "value", "95% CI", "threshold", "figure"]
    rows = []
    for claim in order:
        for r in by_claim[claim]:
            figure = r.get("figure") or ""
            rows.append(
                [
                    f"[{fmt(claim)}](#{_anchor(claim)})",
                    fmt(_paper_short(str(r.get("paper", "")))),
                    fmt(r.get("framework")),
                    fmt(r.get("device")),
                    f"**{fmt(r.get('verdict'))}**",
                    fmt(r.get("value")),
                    _ci(r.get("ci_low"), r.get("ci_high")),
                    fmt(r.get("threshold")),
                    f"[{_stem(figure)}]({figure})" if figure else NA,
                ]
            )
    lines += _table(header, rows)
    lines.append("")

    for claim in order:
        records = by_claim[claim]
        first = records[0]
        lines += [f'<a id="{_anchor(claim)}"></a>', "", f"## {claim}: {fmt(first.get('paper'))}", ""]
        lines += [
            f"**Statement.** {fmt(first.get('statement'))}",
            "",
            f"**Metric.** {fmt(first.get('metric'))}",
            "",
            f"**Threshold.** {fmt(first.get('threshold'))}",
            "",
        ]
        for r in records:
            where = f"{fmt(r.get('framework'))} on {fmt(r.get('device'))}"
            lines += [
                f"### {where}: **{fmt(r.get('verdict'))}**",
                "",
                f"Value {fmt(r.get('value'))}, 95% CI {_ci(r.get('ci_low'), r.get('ci_high'))}. "
                f"{fmt(r.get('summary'))}",
                "",
            ]
            details = list(r.get("details") or [])
            lines += ["<details>", f"<summary>{len(details)} detail row(s)</summary>", ""]
            lines += _details_tables(details)
            lines += ["</details>", ""]
        figures = list(dict.fromkeys(r.get("figure") or "" for r in records))
        for figure in figures:
            lines += _figure_block(figure, captions)

    if step_costs is not None:
        lines += [
            "## Step cost",
            "",
            "Ratios of median wall times of one MLP training step, measured side by side in one "
            "process (rows of the `step_cost` experiment).",
            "",
        ]
        columns = [c for c in STEP_COST_COLUMNS if c in step_costs.columns]
        lines += _table(
            [STEP_COST_COLUMNS[c] for c in columns],
            [[fmt(v) for v in row] for row in step_costs[columns].itertuples(index=False)],
        )
        lines.append("")
        lines += _figure_block(STEP_COST_FIGURE, captions)

    lines += ["---", "", "## Provenance", ""]
    seen = []
    for r in claims:
        key = (fmt(r.get("profile")), fmt(r.get("git_commit")), fmt(r.get("params_hash")))
        if key not in seen:
            seen.append(key)
    lines += _table(["profile", "git commit", "params hash"], [list(k) for k in sorted(seen)])
    lines.append("")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines), encoding="utf-8")
