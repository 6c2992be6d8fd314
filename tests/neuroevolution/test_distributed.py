"""Distributed evaluation (benchmarks/neuroevolution/distributed.py): Ray with 1 and 2 workers gives exactly what
in-process evaluation gives, only seeds travel (the bytes do not depend on the parameter count), ES's mean is
broadcast once per worker and version, and a whole GA run is identical with and without Ray.

Ray starts once (a session fixture) with 4 logical CPUs (every actor holds one for its life: 1 + 2 + 1 actors here;
the machine's 2 cores run them); populations are 8, the MLP tiny, episodes capped at 30 steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.neuroevolution import search
from benchmarks.neuroevolution.distributed import (
    InProcessEvaluator,
    RayEvaluator,
    _chunks,
    _free_cpus,
    compression_ratio,
)
from implementations.contracts.control_envs import EnvSpec
from implementations.contracts.neuroevolution import GAConfig
from implementations.contracts.policy_genomes import NoiseTableSpec, PolicySpec, n_params

ENV = EnvSpec("cartpole", max_steps=30)
NOISE = NoiseTableSpec(seed=3, size=2**14)
SIGMA = 0.3
FRAMEWORK = "pytorch"  # Ray's machinery is framework-neutral; the in-process tests cover both frameworks
GENOMES = [(1,), (2,), (1, 5), (1, 6), (2, 7), (3,), (1, 5, 9), (2, 7, 4)]


def policy(hidden: int) -> PolicySpec:
    return PolicySpec("mlp", (4,), 2, hidden=(hidden,))


@pytest.fixture(scope="session")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def in_process():
    return InProcessEvaluator(FRAMEWORK, policy(8), ENV, NOISE, SIGMA, cache_size=32, threads=2)


@pytest.fixture(scope="module")
def ray_evaluators(ray_cluster):
    evaluators = {w: RayEvaluator(FRAMEWORK, policy(8), ENV, NOISE, SIGMA, workers=w, cache_size=32) for w in (1, 2)}
    yield evaluators
    for evaluator in evaluators.values():
        evaluator.close()
    assert ray_cluster.is_initialized()  # an evaluator does not shut down a Ray it did not start


def test_chunks_split_evenly():
    assert _chunks(8, 2) == [slice(0, 4), slice(4, 8)]
    assert [s.stop - s.start for s in _chunks(7, 3)] == [2, 3, 2]
    assert _chunks(1, 4) == [slice(0, 1)]


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers=0; valid: an int >= 1"):
        RayEvaluator(FRAMEWORK, policy(8), ENV, NOISE, SIGMA, workers=0)
    with pytest.raises(ValueError, match="framework='tf'; valid: pytorch, jax"):
        InProcessEvaluator("tf", policy(8), ENV, NOISE, SIGMA)


def test_ray_evaluation_equals_in_process(in_process, ray_evaluators):
    expected = in_process.evaluate_genomes(GENOMES, 2, 11)
    in_process.take_counters()
    assert len(np.unique(expected.fitness)) > 2  # the genomes behave differently
    for workers, evaluator in ray_evaluators.items():
        got = evaluator.evaluate_genomes(GENOMES, 2, 11)
        np.testing.assert_array_equal(got.fitness, expected.fitness, err_msg=f"{workers} workers")
        np.testing.assert_array_equal(got.frames, expected.frames, err_msg=f"{workers} workers")
        counters = evaluator.take_counters()
        assert counters.bytes_sent > 0 and counters.bytes_received > 0 and counters.broadcast_bytes == 0
        assert counters.hits + counters.misses >= len(set(GENOMES))  # every worker decodes its share
    assert in_process.take_counters().bytes_sent == 0


def test_only_seeds_travel(ray_cluster, ray_evaluators):
    """The same genomes on a net with 10x the parameters cost exactly the same bytes: no parameter travels."""
    small = ray_evaluators[1]
    small.take_counters()
    small.evaluate_genomes(GENOMES, 1, 5)
    sent_small = small.take_counters()
    big = RayEvaluator(FRAMEWORK, policy(96), ENV, NOISE, SIGMA, workers=1, cache_size=32)
    try:
        big.evaluate_genomes(GENOMES, 1, 5)
        sent_big = big.take_counters()
    finally:
        big.close()
    assert sent_big.bytes_sent == sent_small.bytes_sent
    assert sent_big.bytes_received == sent_small.bytes_received
    assert n_params(policy(96)) > 10 * n_params(policy(8))
    parameters = 4 * n_params(policy(96)) * len(GENOMES)
    assert compression_ratio(parameters, sent_big.bytes_sent) > 1  # already for a 1.2 k-parameter net


def test_es_broadcast_once_per_version(in_process, ray_evaluators):
    theta = in_process.decode([(9,)])[0]
    taus = [4, 8, 15]
    in_process.set_theta(theta)
    expected = in_process.evaluate_antithetic(0.1, taus, 1, 3)
    expected_mean = in_process.evaluate_theta(2, 5)
    evaluator = ray_evaluators[2]
    evaluator.take_counters()
    evaluator.set_theta(theta)
    got = evaluator.evaluate_antithetic(0.1, taus, 1, 3)
    np.testing.assert_array_equal(got.fitness, expected.fitness)
    first = evaluator.take_counters()
    theta_bytes = len(evaluator._ray.cloudpickle.dumps(np.asarray(theta, np.float32)))
    assert first.broadcast_bytes == 2 * theta_bytes  # both workers fetched the new mean once
    np.testing.assert_array_equal(evaluator.evaluate_theta(2, 5).fitness, expected_mean.fitness)
    assert evaluator.take_counters().broadcast_bytes == 0  # worker 0 already holds this version


def test_ga_run_is_identical_with_and_without_ray(ray_evaluators):
    config = GAConfig(
        population=8, truncation=3, sigma=SIGMA, generations=2, elite_candidates=3, elite_episodes=2, final_episodes=2
    )
    local = InProcessEvaluator(FRAMEWORK, policy(8), ENV, NOISE, SIGMA, cache_size=32, threads=2)
    expected = search.run_ga(config, local, seed=8, keep_populations=True)
    got = search.run_ga(config, ray_evaluators[2], seed=8, keep_populations=True)
    assert got.final_score == expected.final_score and got.elite == expected.elite
    for ours, theirs in zip(got.populations, expected.populations, strict=True):
        assert ours["genomes"] == theirs["genomes"]
        np.testing.assert_array_equal(ours["fitness"], theirs["fitness"])
    assert [r.cumulative_frames for r in got.records] == [r.cumulative_frames for r in expected.records]
    assert all(r.bytes_sent > 0 for r in got.records) and all(r.bytes_sent == 0 for r in expected.records)
    assert expected.records[1].cache_hit_rate == 1.0


class _SlowRelease:
    """A stand-in for Ray whose killed actors' CPUs show up as free only after a few polls (Ray frees them
    asynchronously: a new evaluator asked for them at once found none)."""

    def __init__(self, polls_until_free: int) -> None:
        self.polls, self.until, self.killed = 0, polls_until_free, []

    def kill(self, actor: object) -> None:
        self.killed.append(actor)

    def is_initialized(self) -> bool:
        return True

    def available_resources(self) -> dict[str, float]:
        self.polls += 1
        return {"CPU": float(len(self.killed)) if self.polls > self.until else 0.0}


def test_close_waits_until_ray_has_freed_the_actors_cpus():
    evaluator = RayEvaluator.__new__(RayEvaluator)
    fake = _SlowRelease(polls_until_free=3)
    evaluator._ray, evaluator._actors, evaluator._started = fake, ["a", "b"], False
    evaluator.close()
    assert fake.killed == ["a", "b"] and fake.polls == 4 and evaluator._actors == []
    assert _free_cpus(_SlowRelease(polls_until_free=10**9), 1, timeout=0.2) == 0  # bounded: gives up, says 0


def test_a_search_experiment_evaluates_on_ray_when_its_block_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ray_workers`` > 0 in a search block makes every run's engine a RayEvaluator with those workers, at
    ``ray_address`` (a cluster) or on a local Ray (null); 0 keeps it in-process."""
    from benchmarks.neuroevolution import runs
    from tests.conftest import run_context, small_params

    made = []
    monkeypatch.setattr(runs, "RayEvaluator", lambda *args, **kwargs: made.append(kwargs) or "ray engine")
    policy_spec = policy(8)
    for workers, address in ((2, None), (3, "ray://head:10001")):
        params = small_params(neuroevolution={"control": {"ray_workers": workers, "ray_address": address}})
        ctx = run_context(params, "neuroevolution", "control", FRAMEWORK, {})
        assert runs.evaluator(ctx, policy_spec, ENV, NOISE, SIGMA, 16) == "ray engine"
        assert made[-1]["workers"] == workers and made[-1]["address"] == address and made[-1]["cache_size"] == 16
    ctx = run_context(small_params(), "neuroevolution", "control", FRAMEWORK, {})
    assert isinstance(runs.evaluator(ctx, policy_spec, ENV, NOISE, SIGMA, 16), InProcessEvaluator)
