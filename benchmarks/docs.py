"""The claim catalogue ``docs/claims.md``, generated from the studies' registries (``nobp docs write``).

The catalogue is the project's own statement of what it re-tests: for every study its papers and
experiments, and for every claim its statement, provenance, metric, decision rule (rendered by the claim's
threshold object), scope and the protocol facts and reasons behind its band. A test keeps the committed
file equal to what the registry renders.
"""

from __future__ import annotations

from benchmarks.study import Study, discover_studies

INTRO = """# Claim catalogue

Generated from the claim registry (`benchmarks/<study>/claims.py`) by `nobp docs write`; do not edit by hand.

Every claim below is turned into a check whose verdict is an **equivalence decision**: `reproduced` only when
the confidence interval of the measured quantity lies inside the claim's band (so a wide interval never
passes), `not reproduced` when it lies outside or a test rejects the claim, `inconclusive` when it straddles
the band, and `partial` only for a claim declared as a family of sub-claims. Each check also reports the
smallest defect it detects with 90% probability at the budget that ran. The bands are this suite's
proposals where a paper gives none; they live in one place per study so they can be argued about.

Provenance tags: **paper** (stated in the paper), **code** (read in the authors' or a named third party's
code), **secondary** (from reproductions or reviews, not the paper's text), **derived** (follows by
arithmetic from the definitions). Scopes: **per slice** (judged per framework and device), **across
frameworks** (judged once per device, comparing frameworks), **framework-free** (judged once).
"""


def _study_block(study: Study) -> list[str]:
    lines = [f"## Study `{study.name}`: {study.title}", "", "Papers:", ""]
    lines += [f"- `{p.key}`: {p.citation}" for p in study.papers]
    lines += ["", "Experiments:", ""]
    lines += [f"- `{e.name}`: {e.description}" for e in study.experiments]
    lines.append("")
    for claim in study.load_claims():
        paper = study.paper(claim.paper)
        lines += [
            f"### {claim.id} [{claim.provenance}] {paper.short}",
            "",
            f"- **Statement:** {claim.statement}",
            f"- **Measured:** {claim.metric}",
            f"- **Reproduced when:** {claim.threshold.describe()}",
            f"- **Scope:** {claim.scope.value.replace('_', ' ')}; experiments: {', '.join(claim.experiments)}; "
            f"figure: `{study.name}/{claim.figure}`",
        ]
        if claim.family:
            lines.append(f"- **Family of sub-claims:** {claim.family}")
        if claim.notes:
            lines.append(f"- **Protocol and reasons:** {claim.notes}")
        lines.append("")
    return lines


def render_catalogue() -> str:
    """The text of docs/claims.md."""
    lines = [INTRO]
    for study in discover_studies().values():
        lines += _study_block(study)
    return "\n".join(lines).rstrip() + "\n"
