"""Real runs, both frameworks: the honest run reads ``reproduced`` and a defect planted in the method at 1.4x
the check's smallest detectable size reads ``not reproduced`` (F10a: a finite difference off by a scale
factor; B5: activity perturbation made noisier than weight perturbation); the training experiments run, keep
their layout, and record an exactly zero backprop gradient and JVP on the step net."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.forward_variants import thresholds
from benchmarks.forward_variants.check_finite_differences import check_finite_differences
from benchmarks.forward_variants.check_perturbation import check_perturbation, ratio_rows
from benchmarks.tables import check_columns
from benchmarks.verdicts import NOT_REPRODUCED, REPRODUCED
from tests.forward_variants.helpers import SMALL, STUDY, methods_for, run, wrapped
from tests.forward_variants.synthetic import step_table

FACTOR = 1.4
STEP = step_table({"xor_2-4-1": np.full(20, 0.95)})


def _f10a(table: object) -> tuple[str, object]:
    result = check_finite_differences({"fd_agreement": table, "step_net": STEP}, thresholds.F10)
    return next(d["verdict"] for d in result.details if d.get("part") == "sub-claim F10a"), result


def test_f10a_honest_and_scaled_difference(framework: str) -> None:
    verdict, honest = _f10a(run(SMALL, framework, "fd_agreement"))
    assert verdict == REPRODUCED, honest.summary
    delta = FACTOR * honest.detectable.size
    dn = methods_for(framework, "fd_agreement")["discrete_nets"]
    scaled = {
        name: (lambda f: lambda *a: (f(*a) * np.float32(1 + delta)).astype(np.float32))(getattr(dn, name))
        for name in ("step_fd_sweep", "objective_fd_sweep")
    }
    verdict, result = _f10a(run(SMALL, framework, "fd_agreement", discrete_nets=wrapped(dn, **scaled)))
    assert verdict == NOT_REPRODUCED, f"scale error {delta:.2e}: {result.summary}"


def test_b5_honest_and_noisier_activity(framework: str) -> None:
    honest_table = run(SMALL, framework, "perturbation")
    honest = check_perturbation({"perturbation": honest_table}, thresholds.B5)
    assert honest.verdict == REPRODUCED, honest.summary
    rows = ratio_rows(honest_table, thresholds.B5).set_index(["distribution", "layer"])
    d = honest.detectable.size
    pt = methods_for(framework, "perturbation")["perturbation"]

    def noisier(spec, theta, layer, kind, seed, distribution, count, chunk=1024):
        grad = pt.layer_gradient(spec, theta, layer)
        m = rows.loc[(distribution, layer), "ratio"] * (1 + FACTOR * d) if kind == "activity" else 1.0
        for chunk_rows in pt.iter_perturbed(spec, theta, layer, kind, seed, distribution, count, chunk):
            yield (grad + np.sqrt(m) * (chunk_rows - grad)).astype(np.float32)

    table = run(SMALL, framework, "perturbation", perturbation=wrapped(pt, iter_perturbed=noisier))
    result = check_perturbation({"perturbation": table}, thresholds.B5)
    assert result.verdict == NOT_REPRODUCED, f"activity noise x(1 + {FACTOR * d:.3f}) / ratio: {result.summary}"


@pytest.mark.parametrize("experiment", ["step_net", "binary_net"])
def test_training_experiments_run(experiment: str) -> None:
    """The experiments' own code (sweep, selection, evaluation, rows) is framework-free: run in PyTorch, whose
    trainers cost no compilation (both frameworks' trainers are checked by the discrete_nets contract)."""
    table = check_columns(run(SMALL, "pytorch", experiment), STUDY.experiment(experiment).axes, experiment)
    assert set(table["phase"]) == {"sweep", "evaluation"}
    if experiment == "step_net":
        runs = table[table["step"] == 0]
        assert runs[runs["measure"] == "max_grad_norm"]["value"].max() == 0.0
        assert runs[(runs["measure"] == "max_abs_jvp") & (runs["method"] != "backprop")]["value"].max() == 0.0
        assert runs[(runs["measure"] == "moved") & (runs["method"] == "backprop")]["value"].sum() == 0
        assert runs[(runs["measure"] == "moved") & (runs["method"] != "backprop")]["value"].min() == 1
