"""Every claim check on synthetic tables in the study's exact layout: an honest table reads ``reproduced``, a
defect of 1.4x the check's own smallest detectable size reads ``not reproduced`` (the statistics at their
limits, no framework needed); the edge rules (no agreement at any eps, a non-zero step-net gradient, the
F10 family) read as documented."""

from __future__ import annotations

import numpy as np

from benchmarks.forward_variants import thresholds
from benchmarks.forward_variants.check_binary import check_binary
from benchmarks.forward_variants.check_finite_differences import check_finite_differences
from benchmarks.forward_variants.check_perturbation import check_perturbation
from benchmarks.verdicts import NOT_REPRODUCED, PARTIAL, REPRODUCED
from tests.forward_variants.synthetic import binary_table, fd_table, perturbation_table, step_table

FACTOR = 1.4
EPSILONS = 2.0 ** -np.arange(1, 17)
RNG = np.random.default_rng(7)
STEP_FINAL = {
    "xor_2-4-1": np.clip(RNG.normal(0.9, 0.12, 48), 0.5, 1.0),
    "parity3_3-6-1": np.clip(RNG.normal(0.88, 0.1, 48), 0.5, 1.0),
}


def _sub(result: object, name: str) -> dict:
    return next(d for d in result.details if d.get("part") == f"sub-claim {name}")


def _f10(fd: object = None, step: object = None) -> object:
    tables = {
        "fd_agreement": fd_table(EPSILONS) if fd is None else fd,
        "step_net": step_table(STEP_FINAL) if step is None else step,
    }
    return check_finite_differences(tables, thresholds.F10)


def test_f10_honest_and_scale_defect_at_its_limit() -> None:
    honest = _f10()
    assert honest.verdict == REPRODUCED, honest.summary
    delta = honest.detectable.size
    assert 0 < delta < 0.05, delta
    defective = _f10(fd=fd_table(EPSILONS, scale=FACTOR * delta))
    assert _sub(defective, "F10a")["verdict"] == NOT_REPRODUCED, defective.summary
    assert defective.verdict == PARTIAL  # F10b still holds: a family


def test_f10a_no_agreement_at_any_eps_refutes() -> None:
    result = _f10(fd=fd_table(EPSILONS, scale=0.2))
    assert _sub(result, "F10a")["verdict"] == NOT_REPRODUCED, result.summary


def test_f10b_accuracy_shortfall_at_its_limit() -> None:
    honest = _f10()
    shortfall = _sub(honest, "F10b")["smallest_detectable_shortfall"]
    assert 0 < shortfall < 0.1
    target = thresholds.F10.accuracy_band - FACTOR * shortfall
    final = dict(STEP_FINAL)
    final["xor_2-4-1"] = final["xor_2-4-1"] - (final["xor_2-4-1"].mean() - target)
    result = _f10(step=step_table(final))
    assert _sub(result, "F10b")["verdict"] == NOT_REPRODUCED, result.summary


def test_f10b_needs_an_exactly_zero_gradient() -> None:
    for table in (step_table(STEP_FINAL, grad_norm=1e-6), step_table(STEP_FINAL, backprop_moves=True)):
        assert _sub(_f10(step=table), "F10b")["verdict"] == NOT_REPRODUCED


def test_f11_at_its_limit() -> None:
    fd, ste = RNG.normal(0.62, 0.04, 8), RNG.normal(0.85, 0.02, 8)
    honest = check_binary({"binary_net": binary_table(fd, ste)}, thresholds.F11)
    assert honest.verdict == REPRODUCED, honest.summary
    assert any(d["method"] == "ratio fd/ste" for d in honest.details)
    target = thresholds.F11.accuracy_band - FACTOR * honest.detectable.size
    defective = check_binary({"binary_net": binary_table(fd - (fd.mean() - target), ste)}, thresholds.F11)
    assert defective.verdict == NOT_REPRODUCED, defective.summary


def test_b5_at_its_limit() -> None:
    honest = check_perturbation({"perturbation": perturbation_table({0: 100.0, 1: 50.0, 2: 20.0})}, thresholds.B5)
    assert honest.verdict == REPRODUCED, honest.summary
    d = honest.detectable.size
    assert 0 < d < 1
    table = perturbation_table({0: 100.0, 1: 1.0 / (1.0 + FACTOR * d), 2: 20.0})
    assert check_perturbation({"perturbation": table}, thresholds.B5).verdict == NOT_REPRODUCED
