"""The markdown report: one summary row per record, verdicts, figure links, n/a for NaN, determinism."""

from __future__ import annotations

from benchmarks.report import fmt, metrics, write_report

CAPTIONS = {
    "figures/fg/f1_unbiasedness.png": "Caption of F1 (pytorch on cpu).",
    "figures/fg/step_cost.png": "Caption of the step cost.",
}


def _records() -> list[dict]:
    common = {
        "claim": "F1",
        "paper": "Gradients without Backpropagation (Baydin et al. 2022), arXiv:2202.08587",
        "paper_short": "Baydin et al. 2022",
        "provenance": "paper",
        "scope": "per_slice",
        "statement": "the forward gradient is unbiased",
        "metric": "log-log slope",
        "threshold": "slope CI inside [-0.55, -0.45]",
        "device": "cpu (x86_64, 2 threads)",
        "figure": "figures/fg/f1_unbiasedness.png",
        "profile": "smoke",
        "git_commit": "abc1234",
        "params_hash": "feedbeef",
    }
    return [
        common
        | {
            "framework": "pytorch",
            "verdict": "reproduced",
            "value": -0.498612345,
            "ci_low": -0.5053,
            "ci_high": -0.4947,
            "summary": "0 of 10 bias tests rejected",
            "smallest_detectable": {
                "defect": "bias along grad f",
                "size": 0.00612345,
                "unit": "of ||grad f||",
                "power": 0.9,
                "method": "simulation",
            },
            "details": [
                {
                    "task": "quadratic",
                    "dim": 2,
                    "distribution": "gaussian",
                    "slope": -0.45351234,
                    "verdict": "ok",
                },
                {
                    "task": "quadratic",
                    "dim": 10,
                    "distribution": "sphere",
                    "slope": float("nan"),
                    "verdict": "ok",
                },
            ],
        },
        common
        | {
            "framework": "jax",
            "verdict": "not reproduced",
            "value": float("nan"),
            "ci_low": float("nan"),
            "ci_high": float("nan"),
            "summary": "no data",
            "details": [{"part": "iterations", "dim": 2, "p_fewer": 1.234567e-5}],
        },
    ]


SECTIONS = [
    {
        "title": "Step cost",
        "text": "Ratios of median wall times.",
        "columns": ["framework", "t(fg) / t(bp)"],
        "rows": [["pytorch", 1.94412]],
        "figure": "figures/fg/step_cost.png",
    }
]


def _summary_rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("## Verdicts")
    table = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table[2:]  # skip header and separator


def test_report_table_verdicts_links_and_na(tmp_path):
    out = tmp_path / "results" / "REPORT.md"
    write_report(_records(), CAPTIONS, out, SECTIONS)
    text = out.read_text()
    rows = _summary_rows(text)
    assert len(rows) == 2
    assert "**reproduced**" in rows[0] and "pytorch" in rows[0]
    assert "**not reproduced**" in rows[1] and "jax" in rows[1]
    assert "-0.4986" in rows[0] and "[-0.5053, -0.4947]" in rows[0]
    assert rows[1].count("n/a") >= 2  # value and CI
    assert "Baydin et al. 2022" in rows[0]
    assert all("(figures/fg/f1_unbiasedness.png)" in row for row in rows)
    assert "0.006123 of \\|\\|grad f\\|\\|" in rows[0]  # pipes escaped inside a Markdown table
    assert "**0.006123 of \\|\\|grad f\\|\\|** (detected with probability 0.9; simulation)" in text
    assert "![f1_unbiasedness](figures/fg/f1_unbiasedness.png)" in text
    assert "Caption of F1 (pytorch on cpu)." in text
    assert "-0.4535" in text  # details to 4 significant figures
    assert "1.235e-05" in text
    assert "## Step cost" in text and "1.944" in text and "![step_cost](figures/fg/step_cost.png)" in text
    assert "## How to cite a figure" in text
    assert "| smoke | abc1234 | feedbeef |" in text
    assert "inconclusive" in text and "docs/claims.md" in text  # the how-to-read paragraph


def test_report_is_deterministic_and_sections_optional(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    write_report(_records(), CAPTIONS, a)
    write_report(_records(), dict(reversed(list(CAPTIONS.items()))), b)
    assert a.read_bytes() == b.read_bytes()
    assert "## Step cost" not in a.read_text()


def test_fmt():
    assert fmt(float("nan")) == "n/a"
    assert fmt(None) == "n/a"
    assert fmt(1.23456789) == "1.235"
    assert fmt(1000.0) == "1000"
    assert fmt(7) == "7"
    assert fmt("a|b") == "a\\|b"


def test_metrics_per_claim_and_slice():
    out = metrics(_records())
    assert set(out) == {"F1"} and set(out["F1"]) == {"pytorch", "jax"}
    assert out["F1"]["pytorch"]["verdict_code"] == 1.0 and out["F1"]["jax"]["verdict_code"] == -1.0
    assert out["F1"]["pytorch"]["smallest_detectable"] == 0.00612345
    two_devices = _records()[:1] + [dict(_records()[0], device="cuda:0 (H100)")]
    assert set(metrics(two_devices)["F1"]) == {"pytorch @ cpu (x86_64, 2 threads)", "pytorch @ cuda:0 (H100)"}
