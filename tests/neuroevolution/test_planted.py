"""Real runs through claim checks, honest and with the defects the issue names planted through the search
driver's and the decoder's hooks: selection ignoring fitness, the elite not carried, decoding dropping a
generation. Each test asserts the honest run reads ``reproduced`` and the planted one ``not reproduced``.

- The GA defects on a tiny task: CartPole capped at 200 steps, a 4-8-2 MLP, 16 runs of 7 generations in JAX,
  judged by G4's own rule (the fraction of runs whose final elite averages >= 195 over 10 episodes, one-sided
  Clopper-Pearson) at a band of 50% that 16 runs can resolve. The setting (population 16, 4 parents, 3 elite
  candidates on 2 episodes, sigma 1.0) makes the elite matter: a child of a solved network is usually worse, so
  a GA that does not keep its elite, or selects blindly, ends most runs unsolved.
- Decoding that drops a genome's last seed leaves theta one mutation short: G1 (decoding against the float64
  reference and across frameworks) on the encoding experiment's own measurements of the CartPole MLP.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from benchmarks.neuroevolution import search, thresholds
from benchmarks.neuroevolution.check_encoding import check_decode_parity
from benchmarks.neuroevolution.check_returns import check_learns
from benchmarks.neuroevolution.distributed import InProcessEvaluator
from benchmarks.neuroevolution.experiments.encoding import decode_measurements, policies
from benchmarks.neuroevolution.runs import policy_for, result_rows
from benchmarks.verdicts import NOT_REPRODUCED, REPRODUCED
from implementations.contracts.control_envs import EnvSpec
from implementations.contracts.neuroevolution import GAConfig
from implementations.contracts.policy_genomes import NoiseTableSpec
from tests.conftest import load_methods, run_context, small_params

ENV = EnvSpec("cartpole", 200)
POLICY = policy_for(ENV, (8,))
NOISE = NoiseTableSpec(seed=3, size=2**16)
CONFIG = GAConfig(
    population=16,
    truncation=4,
    sigma=1.0,
    generations=7,
    elite_candidates=3,
    elite_episodes=2,
    final_episodes=10,
)
RUNS = 16
TINY = thresholds.Learns(solved={"cartpole": 195.0}, solved_fraction=0.5, above_random={})


def _ga_runs() -> pd.DataFrame:
    parts = []
    for run in range(RUNS):
        engine = InProcessEvaluator("jax", POLICY, ENV, NOISE, CONFIG.sigma, cache_size=64, threads=2)
        result = search.run_ga(CONFIG, engine, 1000 + run)
        fixed = {
            "study": "neuroevolution",
            "experiment": "control",
            "framework": "jax",
            "device": "cpu",
            "task": ENV.name,
            "method": "ga",
            "seed": 1000 + run,
            "run": run,
        }
        parts.append(result_rows(fixed, result, CONFIG.final_episodes))
    return pd.concat(parts, ignore_index=True)


def _judge(table: pd.DataFrame) -> str:
    return check_learns({"control": table, "minatar": pd.DataFrame()}, TINY).verdict


@pytest.fixture(scope="module")
def honest_ga() -> str:
    load_methods("jax", ("neuroevolution",))
    return _judge(_ga_runs())


def test_ga_ignoring_fitness_is_caught(honest_ga: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert honest_ga == REPRODUCED
    monkeypatch.setattr(search, "rank", lambda scores: np.arange(len(scores)))
    assert _judge(_ga_runs()) == NOT_REPRODUCED


def test_elite_not_carried_is_caught(honest_ga: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert honest_ga == REPRODUCED
    monkeypatch.setattr(search, "carry_elite", lambda elite, offspring: [offspring[0], *offspring])
    assert _judge(_ga_runs()) == NOT_REPRODUCED


@pytest.fixture()
def drop_last_seed(monkeypatch: pytest.MonkeyPatch) -> Iterator[callable]:
    """Plant, in one framework, a decoder that drops each genome's last seed (the decoder hook of the
    evaluator, applied to the framework's own ``GenomeDecoder`` so every decoding path uses it)."""

    def plant(framework: str) -> None:
        module = importlib.import_module(f"implementations.{framework}.policy_genomes")
        honest = module.GenomeDecoder

        class DropsAGeneration(honest):
            def decode(self, genomes):  # noqa: ANN001, ANN202 - the framework's own signature
                return super().decode([g[:-1] if len(g) > 1 else g for g in genomes])

        monkeypatch.setattr(module, "GenomeDecoder", DropsAGeneration)

    yield plant


def _encoding(frameworks: tuple[str, ...]) -> pd.DataFrame:
    params = small_params("smoke")
    label, policy = next(iter(policies(tuple(params.active.neuroevolution.encoding.mlp_hidden)).items()))
    parts = []
    for framework in frameworks:
        ctx = run_context(params, "neuroevolution", "encoding", framework, load_methods(framework, ("policy_genomes",)))
        parts += decode_measurements(ctx, label, policy)
    return pd.concat(parts, ignore_index=True)


def test_decode_dropping_a_generation_is_caught(drop_last_seed: callable) -> None:
    both = ("pytorch", "jax")
    honest = check_decode_parity({"encoding": _encoding(both)}, thresholds.G1)
    assert honest.verdict == REPRODUCED, honest.summary
    drop_last_seed("pytorch")
    defective = check_decode_parity({"encoding": _encoding(both)}, thresholds.G1)
    assert defective.verdict == NOT_REPRODUCED, defective.summary
    assert defective.details[0]["reference_over_bound"] > 1 or defective.details[1]["reference_over_bound"] > 1
