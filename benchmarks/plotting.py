"""Plotting helpers every study's figures use, and the engine that draws a study's figures.

A study's figures module defines ``FIGURES: tuple[FigureSpec, ...]``; each ``draw(tables, out_dir)`` draws
one figure from the study's tables (name -> that experiment's rows over frameworks and devices), saves it
with :func:`finish` (PNG + PDF, caption drawn inside the figure) and returns the caption. Captions say what
ran (experiment, tasks, sample counts, profile), where (framework, version, device) and from which commit.
Plotting uses matplotlib's ``Figure`` directly (Agg canvas, no pyplot state) and seaborn's whitegrid theme
inside an ``rc_context`` so the caller's rcParams are left alone.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from benchmarks.claims import figure_path
from benchmarks.paths import CAPTIONS_FILE, SECTIONS_FILE
from benchmarks.study import Study

DPI = 150
MAX_WIDTH = 12.0
CAPTION_FONT = 7.5
DISTRIBUTIONS = ("gaussian", "rademacher", "sphere")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
VERSION_COLUMNS = {"pytorch": "torch_version", "jax": "jax_version"}


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its id (file stem), the experiments it reads, and its drawing function."""

    id: str
    experiments: tuple[str, ...]
    draw: Callable[[Mapping[str, pd.DataFrame], Path], str]


# ----------------------------------------------------------------------------------------------- helpers
def sorted_unique(series: pd.Series) -> list:
    return sorted(series.dropna().unique().tolist())


def fmt_list(values: list) -> str:
    return ", ".join(str(v) for v in values)


def runs(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The (framework, device) slices of a table, PyTorch first."""
    pairs = table[["framework", "device"]].drop_duplicates().itertuples(index=False, name=None)
    return sorted(pairs, key=lambda p: (p[0] != "pytorch", p[0], p[1]))


def run_label(framework: str, device: str) -> str:
    return f"{framework} on {device}"


def run_rows(table: pd.DataFrame, run: tuple[str, str]) -> pd.DataFrame:
    return table[(table["framework"] == run[0]) & (table["device"] == run[1])]


def provenance(table: pd.DataFrame) -> str:
    """Where and from what code the rows came: 'pytorch 2.13.0 on cpu (...); profile smoke; commit ...'."""
    where = []
    for framework, device in runs(table):
        rows = run_rows(table, (framework, device))
        column = VERSION_COLUMNS.get(framework, f"{framework}_version")
        versions = sorted_unique(rows[column]) if column in rows else []
        name = f"{framework} {fmt_list(versions)}" if versions else framework
        where.append(f"{name} on {device}")
    parts = [f"Ran: {'; '.join(where)}."]
    labels = (
        ("profile", "profile"),
        ("git_commit", "git commit"),
        ("params_hash", "params hash"),
        ("root_seed", "root seed"),
    )
    for column, label in labels:
        if column in table:
            parts.append(f"{label.capitalize()} {fmt_list(sorted_unique(table[column].astype(str)))}.")
    return " ".join(parts)


def palette(distributions: list[str]) -> dict[str, tuple]:
    """Fixed colours per distribution, the same in every figure."""
    names = list(DISTRIBUTIONS) + [d for d in distributions if d not in DISTRIBUTIONS]
    return dict(zip(names, sns.color_palette("deep", len(names)), strict=True))


def ordered(values: object, order: tuple[str, ...]) -> list[str]:
    """The distinct ``values`` (as strings) in ``order``, unknown ones after it, sorted."""
    present = list(dict.fromkeys(str(v) for v in values))
    return [v for v in order if v in present] + sorted(v for v in present if v not in order)


def colours(order: tuple[str, ...]) -> dict[str, tuple]:
    """Fixed colours per name in ``order`` (e.g. a study's methods), the same in every figure of the study."""
    return dict(zip(order, sns.color_palette("deep", len(order)), strict=True))


def markers(values: list) -> dict:
    return {v: MARKERS[i % len(MARKERS)] for i, v in enumerate(values)}


def finish(
    fig: Figure,
    stem: str,
    caption: str,
    out_dir: Path,
    legend_handles: list | None = None,
    legend_title: str | None = None,
) -> None:
    """Draw the wrapped caption at the bottom (and a legend on the right), lay out, save PNG and PDF."""
    width, height = fig.get_size_inches()
    lines = textwrap.wrap(caption, width=int(width * 17))
    caption_height = (len(lines) * CAPTION_FONT * 1.35 + 10) / 72.0
    fig.set_size_inches(width, height + caption_height)
    bottom = caption_height / (height + caption_height)
    right = 1.0
    if legend_handles:
        right = 1.0 - 1.9 / width
        anchor = (right + 0.005, 0.5 + bottom / 2)
        fig.legend(
            handles=legend_handles,
            loc="center left",
            bbox_to_anchor=anchor,
            frameon=False,
            fontsize=8,
            title=legend_title,
            title_fontsize=8,
        )
    fig.tight_layout(rect=(0.0, bottom, right, 1.0))
    fig.text(
        0.01,
        0.5 * (5 / 72) / (height + caption_height),
        "\n".join(lines),
        ha="left",
        va="bottom",
        fontsize=CAPTION_FONT,
        wrap=False,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / f"{stem}.png", dpi=DPI)
    fig.savefig(out_dir / f"{stem}.pdf", metadata={"CreationDate": None, "ModDate": None})


def distribution_handles(palette: dict, present: list[str]) -> list:
    return [Line2D([], [], color=palette[d], marker="o", linestyle="-", label=d) for d in present]


def marker_handles(markers: dict, prefix: str = "") -> list:
    return [Line2D([], [], color="0.3", marker=m, linestyle="none", label=f"{prefix}{v}") for v, m in markers.items()]


def dodge(index: int, count: int, step: float = 1.05) -> float:
    """Multiplicative x offset so points of several series at one x do not overlap on a log axis."""
    return float(step ** (index - (count - 1) / 2))


def make_study_figures(study: Study, tables: Mapping[str, pd.DataFrame], out_dir: Path) -> dict[str, str]:
    """Draw every figure of ``study`` whose tables are present; write ``captions.json`` and the study's extra
    report sections (its figures module's optional ``report_sections(tables) -> list[dict]``, each with
    title, text, columns, rows and a figure id); return the captions."""
    captions: dict[str, str] = {}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context():
        sns.set_theme(style="whitegrid", context="paper")
        for spec in study.load_figures().FIGURES:
            if all(name in tables and not tables[name].empty for name in spec.experiments):
                captions[spec.id] = spec.draw({name: tables[name] for name in spec.experiments}, out_dir)
    (out_dir / CAPTIONS_FILE).write_text(json.dumps(captions, indent=2, sort_keys=True) + "\n")
    module = study.load_figures()
    sections = list(module.report_sections(tables)) if hasattr(module, "report_sections") else []
    for section in sections:
        if section.get("figure"):
            section["figure"] = figure_path(study.name, section["figure"])
    (out_dir / SECTIONS_FILE).write_text(json.dumps(sections, indent=2, sort_keys=True, default=float) + "\n")
    return captions
