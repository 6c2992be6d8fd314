"""The report stage: merge the studies' claim records, write the DVC metrics file, render ``REPORT.md``.

``write_report(claims, captions, out_path, sections)`` is a pure rendering step: the same input gives the same
bytes (no timestamps, no dict-order or set-order dependence beyond the input's own order). Claims appear in
the order of their first record; a record's framework rows keep the input order. :func:`write_all` gathers
its inputs from ``results/``: ``claims/<study>.json``, ``figures/<study>/captions.json`` and
``report_sections.json`` (written by each study's figures stage) and ``benchmarks/<framework>.json``.
"""

from __future__ import annotations

import json
import math
from numbers import Number
from pathlib import Path
from typing import Any

import pandas as pd

NA = "n/a"
HOW_TO_READ = (
    "Each row below is one claim judged on one slice of the experiment tables: per (framework, device) for a "
    "claim about an implementation, once across frameworks for a claim comparing them, once for a "
    "framework-free claim. Every verdict is an equivalence decision: **reproduced** only when the confidence "
    "interval of the measured quantity lies inside the claim's band (and no test rejects the claim), so a wide "
    "interval never passes; **not reproduced** when the interval lies outside the band or a test rejects the "
    "claim; **inconclusive** when the interval straddles the band (more budget would decide); **partial** only "
    "for a claim declared as a family of sub-claims, when some members are reproduced and others not. "
    "*value* and *CI* are the claim's headline number (its metric says which); *smallest detectable* is the "
    "smallest defect of the stated kind that the check reads as `not reproduced` with 90% probability at the "
    "budget that ran. Thresholds live in each study's claims module (benchmarks/<study>/claims.py); the "
    "catalogue docs/claims.md lists every claim with its provenance and the reasons for its band."
)
HOW_TO_CITE = (
    "Cite a figure by its id, the git commit and the params hash that produced it, e.g. "
    "*Figure forward_gradient/f2_variance, nobackprop-suite commit `<commit>`, params `<hash>`, profile "
    "default, CPU*. Every figure's caption and every row of claims.json carries these three; CITATION.cff "
    "cites the suite itself."
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


def _detectable_cell(detectable: dict | None) -> str:
    if not detectable:
        return NA
    return f"{fmt(detectable.get('size'))} {fmt(detectable.get('unit'))}"


def _detectable_text(detectable: dict | None) -> str:
    if not detectable:
        return "not computed for this check."
    return (
        f"{fmt(detectable.get('defect'))}: **{fmt(detectable.get('size'))} {fmt(detectable.get('unit'))}** "
        f"(detected with probability {fmt(detectable.get('power'))}; {fmt(detectable.get('method'))})."
    )


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
    caption = captions.get(figure)
    lines = [f"![{_stem(figure)}]({figure})", ""]
    lines += [f"*{caption}*" if caption else f"*(figure {figure}: no caption; was it drawn?)*", ""]
    return lines


def _section_block(section: dict[str, Any], captions: dict[str, str]) -> list[str]:
    """A study's extra report section: a title, a paragraph, a table and optionally a figure."""
    lines = [f"## {section['title']}", "", str(section.get("text", "")), ""]
    columns = list(section.get("columns", []))
    if columns:
        lines += _table(columns, [[fmt(v) for v in row] for row in section.get("rows", [])])
        lines.append("")
    lines += _figure_block(str(section.get("figure", "")), captions)
    return lines


def write_report(
    claims: list[dict],
    captions: dict[str, str],
    out_path: Path,
    sections: list[dict[str, Any]] | None = None,
) -> None:
    """Write the markdown report: how to read it, the verdict table, one section per claim, the studies' extra
    sections (e.g. step cost, micro-benchmarks), how to cite, provenance. ``captions`` maps a figure path
    (relative to results/) to its caption."""
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
    header = [
        "claim",
        "paper",
        "scope",
        "framework",
        "device",
        "verdict",
        "value",
        "CI",
        "smallest detectable",
        "figure",
    ]
    rows = []
    for claim in order:
        for r in by_claim[claim]:
            figure = r.get("figure") or ""
            rows.append(
                [
                    f"[{fmt(claim)}](#{_anchor(claim)})",
                    fmt(r.get("paper_short", "")),
                    fmt(str(r.get("scope", "")).replace("_", " ")),
                    fmt(r.get("framework")),
                    fmt(r.get("device")),
                    f"**{fmt(r.get('verdict'))}**",
                    fmt(r.get("value")),
                    _ci(r.get("ci_low"), r.get("ci_high")),
                    _detectable_cell(r.get("smallest_detectable")),
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
            f"**Provenance.** [{fmt(first.get('provenance'))}] {fmt(first.get('paper'))}. "
            f"**Scope.** {fmt(str(first.get('scope', '')).replace('_', ' '))}."
            + (f" **Family of sub-claims:** {fmt(first.get('family'))}." if first.get("family") else ""),
            "",
        ]
        for r in records:
            where = f"{fmt(r.get('framework'))} on {fmt(r.get('device'))}"
            lines += [
                f"### {where}: **{fmt(r.get('verdict'))}**",
                "",
                f"Value {fmt(r.get('value'))}, CI {_ci(r.get('ci_low'), r.get('ci_high'))}. {fmt(r.get('summary'))}",
                "",
                f"Smallest detectable defect: {_detectable_text(r.get('smallest_detectable'))}",
                "",
            ]
            details = list(r.get("details") or [])
            lines += ["<details>", f"<summary>{len(details)} detail row(s)</summary>", ""]
            lines += _details_tables(details)
            lines += ["</details>", ""]
        figures = list(dict.fromkeys(r.get("figure") or "" for r in records))
        for figure in figures:
            lines += _figure_block(figure, captions)

    for section in sections or []:
        lines += _section_block(section, captions)

    lines += ["## How to cite a figure", "", HOW_TO_CITE, ""]
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


VERDICT_CODES = {"reproduced": 1.0, "partial": 0.5, "inconclusive": 0.0, "not reproduced": -1.0}


def metrics(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The DVC metrics: per claim and judged slice, value, interval, smallest detectable size and verdict
    (as text and as a number: 1 reproduced, 0.5 partial, 0 inconclusive, -1 not reproduced), so
    ``dvc exp show`` and ``dvc metrics diff`` compare experiments by their claims. A slice is named by its
    framework, with the device added when one framework was judged on several devices."""
    devices: dict[tuple[str, str], set[str]] = {}
    for r in records:
        devices.setdefault((str(r["claim"]), str(r["framework"])), set()).add(str(r["device"]))
    out: dict[str, Any] = {}
    for r in records:
        claim, framework = str(r["claim"]), str(r["framework"])
        key = framework if len(devices[(claim, framework)]) == 1 else f"{framework} @ {r['device']}"
        detectable = r.get("smallest_detectable") or {}
        out.setdefault(claim, {})[key] = {
            "verdict": r["verdict"],
            "verdict_code": VERDICT_CODES.get(str(r["verdict"]), 0.0),
            "value": r.get("value"),
            "ci_low": r.get("ci_low"),
            "ci_high": r.get("ci_high"),
            "smallest_detectable": detectable.get("size"),
        }
    return out


def benchmark_section(paths: list[Path]) -> dict[str, Any] | None:
    """The micro-benchmark section of REPORT.md (pytest-benchmark medians per framework, network, kind of
    step, tangent law and K), or None when no benchmark ran."""
    from benchmarks.microbench import summarise_benchmarks

    table = summarise_benchmarks(paths)
    if table.empty:
        return None
    columns = ["framework", "device", "network", "step", "tangents", "k", "median", "iqr", "rounds", "ratio_to_forward"]
    k = table["k"].astype(object).where(table["k"] > 0, "")  # blank for the steps that draw no tangents
    table = table.assign(median=table["median"] * 1e3, iqr=table["iqr"] * 1e3, k=k)
    return {
        "title": "Micro-benchmarks (pytest-benchmark)",
        "text": "Median and interquartile range in milliseconds of one training step of each kind (Baydin et "
        "al. 2022, Sec. 5.2: the loss alone, the JVP alone, the forward-gradient step by JVP and by finite "
        "difference, the backprop step, and hand-written reference steps) on the micro-benchmarked "
        "logistic regression, MLP and CNN, compilation and warm-up excluded, measured by the "
        "`bench-<framework>` stages (results/benchmarks/<framework>.json; compare two runs with "
        "`pytest-benchmark compare`). Absolute times hold only for the device named; ratios are to the loss "
        "alone of the same network in the same run. The claim on these ratios (F4) is checked by study "
        "`forward_training`.",
        "columns": [
            "framework",
            "device",
            "network",
            "step",
            "tangents",
            "K",
            "median (ms)",
            "IQR (ms)",
            "rounds",
            "t / t(forward)",
        ],
        "rows": table[columns].to_numpy().tolist(),
    }


def write_all(params: Any, results_dir: Path) -> list[Path]:
    """Gather every study's claims, captions and sections plus the micro-benchmarks; write claims.json,
    metrics.json and REPORT.md under ``results_dir`` (``params``: validated by the caller, unused here)."""
    from benchmarks.claims import figure_path, read_records, write_json
    from benchmarks.paths import CAPTIONS_FILE, SECTIONS_FILE
    from benchmarks.study import study_packages

    records: list[dict[str, Any]] = []
    captions: dict[str, str] = {}
    sections: list[dict[str, Any]] = []
    for name in study_packages():
        claims_file = results_dir / "claims" / f"{name}.json"
        if claims_file.exists():
            records += read_records(claims_file)
        figures_dir = results_dir / "figures" / name
        if (figures_dir / CAPTIONS_FILE).exists():
            for figure, caption in json.loads((figures_dir / CAPTIONS_FILE).read_text()).items():
                captions[figure_path(name, figure)] = caption
        if (figures_dir / SECTIONS_FILE).exists():
            sections += json.loads((figures_dir / SECTIONS_FILE).read_text())
    bench = benchmark_section(sorted((results_dir / "benchmarks").glob("*.json")))
    if bench:
        sections.append(bench)
    claims_json, metrics_json, report_md = (results_dir / n for n in ("claims.json", "metrics.json", "REPORT.md"))
    write_json(records, claims_json)
    write_json(metrics(records), metrics_json)
    write_report(records, captions, report_md, sections)
    return [claims_json, metrics_json, report_md]
