"""The project stands alone: its claim catalogue is generated from the registry and committed, and it can be
cited."""

from __future__ import annotations

import yaml

from benchmarks.docs import render_catalogue
from benchmarks.paths import REPO_ROOT
from benchmarks.study import discover_studies


def test_claim_catalogue_is_current():
    assert (REPO_ROOT / "docs" / "claims.md").read_text() == render_catalogue(), "run `nobp docs write`"


def test_catalogue_states_every_claim_with_provenance_rule_and_scope():
    text = render_catalogue()
    for study in discover_studies().values():
        for claim in study.load_claims():
            heading = f"### {claim.id} [{claim.provenance}] {study.paper(claim.paper).short}"
            assert heading in text
            assert claim.threshold.describe() in text and claim.statement in text


def test_citation_file_is_valid_cff():
    cff = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["title"] and cff["authors"]
    assert {"Gradients without Backpropagation", "Optimization without Backpropagation"} <= {
        ref["title"] for ref in cff["references"]
    }
