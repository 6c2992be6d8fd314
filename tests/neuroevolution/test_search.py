"""The search driver (benchmarks/neuroevolution/search.py) against the contract's literal NumPy restatements and
hand-computed cases, on synthetic evaluators (no framework), plus a short real run per framework.

Synthetic fitness: a deterministic function of (genome, episode, episode seed), so every population, elite and
score of a run can be recomputed exactly; frames are a known function too, so the accounting is checkable.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from benchmarks.neuroevolution import search
from benchmarks.neuroevolution.distributed import Counters
from implementations.contracts import neuroevolution as contract
from implementations.contracts.control_envs import MAZE_GOAL, EnvSpec
from implementations.contracts.neuroevolution import (
    AdamState,
    ESConfig,
    Evaluation,
    GAConfig,
    NoveltySearchConfig,
    RandomSearchConfig,
)
from implementations.contracts.policy_genomes import NoiseTableSpec, PolicySpec, n_params
from implementations.registry import FRAMEWORKS


def synthetic_score(genomes, episodes, seed):
    """Returns [M, E]: the genome's mean seed value (mod 1000, in units of 1/1000) plus an episode term that
    depends on the episode seed, so elite re-evaluations and final scores differ from the training score."""
    rows = []
    for genome in genomes:
        base = sum(s % 1000 for s in genome) / 1000
        rows.append([base + ((seed + 7919 * e + genome[-1]) % 101) / 1000 for e in range(episodes)])
    return np.array(rows, np.float64)


def synthetic_frames(genomes, episodes):
    return np.array([[len(g) + (g[-1] % 7) + e for e in range(episodes)] for g in genomes], np.int64)


def synthetic_positions(genomes, episodes, seed):
    """Final positions [M, E, 2]: a deterministic point in [0, 10)^2 per genome."""
    return np.array(
        [[[(sum(g) % 997) / 99.7, (g[-1] % 991) / 99.1 + 0.001 * e] for e in range(episodes)] for g in genomes]
    )


class FakeEvaluator:
    """The Evaluator protocol on the synthetic functions; counts decoder-like hits (genome or parent seen)."""

    def __init__(self, sigma: float = 0.01, n_params: int = 10, positions: bool = False) -> None:
        self.sigma, self.n_params, self.positions = sigma, n_params, positions
        self.env = "synthetic"
        self.seen: set = set()
        self.hits = self.misses = 0
        self.calls: list[tuple] = []
        self.theta = None

    def evaluate_genomes(self, genomes, episodes, seed):
        genomes = list(genomes)
        self.calls.append(("genomes", genomes, episodes, seed))
        for g in dict.fromkeys(genomes):
            if g in self.seen or g[:-1] in self.seen:
                self.hits += 1
            else:
                self.misses += 1
        self.seen.update(genomes)
        positions = synthetic_positions(genomes, episodes, seed) if self.positions else None
        return Evaluation(synthetic_score(genomes, episodes, seed), synthetic_frames(genomes, episodes), positions)

    # ES: theta is a vector; returns are -|theta +- sigma eps - 1|^2 with eps a fixed function of tau
    def decode(self, genomes):
        return np.stack([np.full(self.n_params, (g[0] % 100) / 100, np.float32) for g in genomes])

    def eps(self, tau):
        return np.random.default_rng(tau).standard_normal(self.n_params).astype(np.float32)

    def set_theta(self, theta):
        self.theta = np.asarray(theta, np.float32)

    def _score_params(self, params, episodes):
        values = -np.sum((params.astype(np.float64) - 1.0) ** 2, axis=1)
        return Evaluation(np.repeat(values[:, None], episodes, 1), np.full((len(params), episodes), 3, np.int64), None)

    def evaluate_antithetic(self, sigma, taus, episodes, seed):
        self.calls.append(("antithetic", list(taus), episodes, seed))
        eps = np.stack([self.eps(t) for t in taus])
        return self._score_params(np.concatenate([self.theta + sigma * eps, self.theta - sigma * eps]), episodes)

    def evaluate_theta(self, episodes, seed):
        return self._score_params(self.theta[None], episodes)

    def es_step(self, theta, state, taus, weights, config):
        self.calls.append(("es_step", list(taus), np.array(weights)))
        g = np.asarray(weights) @ np.stack([self.eps(t) for t in taus]) / (config.population * config.sigma)
        return (theta + 0.1 * g).astype(np.float32), AdamState(state.m, state.v, state.t + 1)

    def take_counters(self):
        counters = Counters(0, 0, 0, self.hits, self.misses)
        self.hits = self.misses = 0
        return counters


# ---------------------------------------------------------------------------------------------------------
# definitions


def test_centered_ranks_and_antithetic_weights_by_hand():
    np.testing.assert_allclose(contract.centered_ranks(np.array([3.0, -1.0, 7.0])), [0.0, -0.5, 0.5])
    # ties: stable order, the earlier entry gets the lower rank
    np.testing.assert_allclose(contract.centered_ranks(np.array([2.0, 2.0, 1.0])), [0.0, 0.5, -0.5])
    # returns [pairs, 2] are ranked together in row-major order: values 10, 0 | 5, 20 -> ranks 2, 0 | 1, 3 of 3
    weights = contract.antithetic_weights(np.array([[10.0, 0.0], [5.0, 20.0]]))
    np.testing.assert_allclose(weights, [2 / 3, -2 / 3])
    with pytest.raises(ValueError, match="valid: \\[pairs, 2\\]"):
        contract.antithetic_weights(np.zeros(4))


def test_novelty_by_hand():
    behaviours = np.array([[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]])
    # k = 1: nearest other point; distances 0-1: 3, 0-2: 5, 1-2: 4
    np.testing.assert_allclose(contract.novelty(behaviours, np.zeros((0, 2)), 1), [3.0, 3.0, 4.0])
    np.testing.assert_allclose(contract.novelty(behaviours, np.zeros((0, 2)), 2), [4.0, 3.5, 4.5])
    # an archive point at the origin: individual 0 has a neighbour at distance 0
    archive = np.array([[0.0, 0.0]])
    np.testing.assert_allclose(contract.novelty(behaviours, archive, 1), [0.0, 3.0, 4.0])
    # k larger than the others: the mean over all of them
    np.testing.assert_allclose(contract.novelty(behaviours, archive, 10), [8 / 3, 10 / 3, 14 / 3])
    # an identical behaviour elsewhere in the population counts, at distance 0 (itself is excluded by index)
    np.testing.assert_allclose(contract.novelty(np.array([[1.0, 1.0], [1.0, 1.0]]), np.zeros((0, 2)), 1), [0, 0])


def test_draw_seeds_are_non_negative_int32_and_repeatable():
    seeds = contract.draw_seeds(np.random.default_rng(5), 1000)
    assert all(isinstance(s, int) and 0 <= s < 2**31 for s in seeds)
    assert seeds == contract.draw_seeds(np.random.default_rng(5), 1000)
    assert max(seeds) > 2**30  # the whole int31 range is used


@pytest.mark.parametrize(
    "make,field",
    [
        (lambda: GAConfig(population=1), "population"),
        (lambda: GAConfig(population=10, truncation=11), "truncation"),
        (lambda: GAConfig(sigma=0.0), "sigma"),
        (lambda: GAConfig(population=5, truncation=2, elite_candidates=6), "elite_candidates"),
        (lambda: GAConfig(elite_episodes=0), "elite_episodes"),
        (lambda: GAConfig(generations=2.5), "generations"),
        (lambda: GAConfig(elite_is_parent="yes"), "elite_is_parent"),
        (lambda: RandomSearchConfig(final_episodes=0), "final_episodes"),
        (lambda: NoveltySearchConfig(k=0), "k"),
        (lambda: NoveltySearchConfig(archive_rule="all"), "archive_rule"),
        (lambda: NoveltySearchConfig(archive_probability=0.0), "archive_probability"),
        (lambda: ESConfig(population=7), "population"),
        (lambda: ESConfig(beta2=1.0), "beta2"),
        (lambda: ESConfig(l2_coefficient=-1.0), "l2_coefficient"),
        (lambda: ESConfig(mean_episodes=0), "mean_episodes"),
    ],
)
def test_configs_name_the_bad_field(make, field):
    with pytest.raises(ValueError, match=f"{field}=.*valid"):
        make()


# ---------------------------------------------------------------------------------------------------------
# the GA and random search


def test_ga_first_generations_by_hand():
    """N = 3, T = 1, 2 elite candidates; fitness is dominated by sum(seed mod 1000), so the ranking of the
    fresh first generation is known from the seeds; the rng draws are replayed here one by one."""
    config = GAConfig(
        population=3,
        truncation=1,
        sigma=0.01,
        generations=2,
        elite_candidates=2,
        elite_episodes=2,
        final_episodes=3,
        elite_is_parent=False,
    )
    result = search.run_ga(config, FakeEvaluator(), seed=42, keep_populations=True)
    rng = np.random.default_rng(42)
    first = [int(s) for s in rng.integers(0, 2**31, 3)]
    eval_seed = int(rng.integers(0, 2**31, 1)[0])
    fitness = synthetic_score([(s,) for s in first], 1, eval_seed)[:, 0]
    order = np.argsort(-fitness, kind="stable")
    elite_seed = int(rng.integers(0, 2**31, 1)[0])
    candidates = [(first[order[0]],), (first[order[1]],)]
    elite = candidates[int(np.argmax(synthetic_score(candidates, 2, elite_seed).mean(1)))]
    generation1 = result.populations[0]
    assert generation1["genomes"] == [(s,) for s in first]
    assert generation1["elite"] == elite and generation1["parents"] == [(first[order[0]],)]
    # generation 2: the elite first, then 2 children of the only parent (picks are all 0)
    picks = rng.integers(0, 1, 2)
    assert picks.tolist() == [0, 0]
    seeds = [int(s) for s in rng.integers(0, 2**31, 2)]
    parent = (first[order[0]],)
    assert result.populations[1]["genomes"] == [elite, parent + (seeds[0],), parent + (seeds[1],)]


@pytest.mark.parametrize(
    "config",
    [
        GAConfig(
            population=12,
            truncation=3,
            sigma=0.01,
            generations=5,
            elite_candidates=4,
            elite_episodes=3,
            final_episodes=5,
        ),
        GAConfig(
            population=12,
            truncation=3,
            sigma=0.01,
            generations=5,
            elite_candidates=4,
            elite_episodes=3,
            final_episodes=5,
            episodes=2,
            elite_is_parent=False,
        ),
        RandomSearchConfig(population=10, generations=4, elite_candidates=3, elite_episodes=2, final_episodes=4),
    ],
    ids=["ga", "ga-2-episodes-top-t", "random-search"],
)
def test_driver_matches_the_contract_reference(config):
    result = search.run_ga(config, FakeEvaluator(), seed=7, keep_populations=True)
    reference, final = contract.ga_reference(config, synthetic_score, 7)
    assert len(result.populations) == len(reference) == config.generations
    for ours, theirs in zip(result.populations, reference, strict=True):
        assert ours["genomes"] == theirs.population
        np.testing.assert_array_equal(ours["fitness"], theirs.fitness)
        assert ours["elite"] == theirs.elite and ours["parents"] == theirs.parents
    assert result.final_score == final and result.elite == reference[-1].elite
    for record, generation in zip(result.records, reference, strict=True):
        assert record.elite_fitness == generation.elite_scores.max()
        assert record.best_fitness == generation.fitness.max()
        assert record.mean_fitness == pytest.approx(generation.fitness.mean())
    if isinstance(config, RandomSearchConfig):
        assert all(len(g) == 1 for p in result.populations for g in p["genomes"]) and result.method == "random_search"


def test_elite_is_carried_unchanged_and_parents_follow_the_code_rule():
    config = GAConfig(
        population=10, truncation=2, sigma=0.01, generations=6, elite_candidates=3, elite_episodes=2, final_episodes=2
    )
    result = search.run_ga(config, FakeEvaluator(), seed=3, keep_populations=True)
    for previous, current in zip(result.populations[:-1], result.populations[1:], strict=True):
        assert current["genomes"][0] == previous["elite"]  # carried, not re-mutated
        assert all(g[:-1] in previous["parents"] for g in current["genomes"][1:])  # children of the parents
        assert previous["elite"] in previous["parents"]  # the code's rule
    # the GA improves the synthetic fitness (longer genomes accumulate seed values)
    assert result.records[-1].best_fitness > result.records[0].best_fitness


def test_frames_bytes_and_cache_accounting():
    config = GAConfig(
        population=6, truncation=2, sigma=0.01, generations=3, elite_candidates=2, elite_episodes=3, final_episodes=4
    )
    evaluator = FakeEvaluator(n_params=25)
    result = search.run_ga(config, evaluator, seed=11)
    calls = [c for c in evaluator.calls if c[0] == "genomes"]
    assert len(calls) == 2 * config.generations + 1  # population, elite candidates per generation; final
    expected = [
        int(synthetic_frames(calls[2 * i][1], 1).sum() + synthetic_frames(calls[2 * i + 1][1], 3).sum())
        for i in range(config.generations)
    ]
    assert [r.frames for r in result.records] == expected
    assert [r.cumulative_frames for r in result.records] == np.cumsum(expected).tolist()
    assert result.final_frames == int(synthetic_frames(calls[-1][1], 4).sum())
    assert result.total_frames == sum(expected) + result.final_frames
    record = result.records[1]
    assert record.evaluations == config.population + config.elite_candidates
    assert record.parameter_bytes == 4 * 25 * record.evaluations
    seeds = sum(len(g) for g in calls[2][1]) + sum(len(g) for g in calls[3][1])
    assert record.genome_bytes == 8 * seeds
    # generation 1: N fresh genomes miss, the candidates are then seen; later every genome has a seen parent
    assert result.records[0].cache_hit_rate == pytest.approx(config.elite_candidates / (config.population + 2))
    assert result.records[1].cache_hit_rate == 1.0
    assert all(r.bytes_sent == 0 and r.reached == -1 for r in result.records)


def test_runs_are_repeatable_and_seeds_matter():
    config = GAConfig(
        population=8, truncation=2, sigma=0.01, generations=3, elite_candidates=2, elite_episodes=2, final_episodes=2
    )
    a = search.run_ga(config, FakeEvaluator(), seed=1, keep_populations=True)
    b = search.run_ga(config, FakeEvaluator(), seed=1, keep_populations=True)
    c = search.run_ga(config, FakeEvaluator(), seed=2, keep_populations=True)
    assert [p["genomes"] for p in a.populations] == [p["genomes"] for p in b.populations]
    assert a.final_score == b.final_score
    assert a.populations[0]["genomes"] != c.populations[0]["genomes"]


def test_planted_hooks_take_effect(monkeypatch):
    """The hooks helper D's planted-defect tests use: with selection ignoring fitness the parents are the first
    T individuals; with the elite not carried it is absent from the next population."""
    config = GAConfig(
        population=10,
        truncation=2,
        sigma=0.01,
        generations=3,
        elite_candidates=3,
        elite_episodes=2,
        final_episodes=2,
        elite_is_parent=False,
    )
    monkeypatch.setattr(search, "rank", lambda scores: np.arange(len(scores)))
    blind = search.run_ga(config, FakeEvaluator(), seed=4, keep_populations=True)
    assert blind.populations[0]["parents"] == blind.populations[0]["genomes"][:2]
    monkeypatch.undo()
    monkeypatch.setattr(search, "carry_elite", lambda elite, offspring: [offspring[0], *offspring])
    dropped = search.run_ga(config, FakeEvaluator(), seed=4, keep_populations=True)
    assert dropped.populations[0]["elite"] not in dropped.populations[1]["genomes"]


def test_sigma_and_config_mismatches_are_rejected():
    with pytest.raises(ValueError, match="sigma=.*valid: equal"):
        config = GAConfig(population=4, truncation=2, sigma=0.5, elite_candidates=2)
        search.run_ga(config, FakeEvaluator(sigma=0.01), seed=0)
    with pytest.raises(ValueError, match="valid: GAConfig or RandomSearchConfig"):
        search.run_ga(ESConfig(population=4), FakeEvaluator(), seed=0)
    with pytest.raises(ValueError, match="seed=-1; valid"):
        search.run_ga(RandomSearchConfig(population=4, elite_candidates=2), FakeEvaluator(), seed=-1)
    with pytest.raises(ValueError, match="method='cmaes'; valid: ga, random_search, novelty_search, es"):
        search.run("cmaes", ESConfig(population=4), FakeEvaluator(), 0)
    with pytest.raises(ValueError, match="valid: RandomSearchConfig"):
        search.run("random_search", GAConfig(population=4, truncation=2, elite_candidates=2), FakeEvaluator(), 0)


# ---------------------------------------------------------------------------------------------------------
# novelty search


def _synthetic_behaviour(genomes, episodes, seed):
    return synthetic_score(genomes, episodes, seed), synthetic_positions(genomes, episodes, seed)


@pytest.mark.parametrize("rule", ["probability", "one_random"])
def test_novelty_search_matches_the_contract_reference(rule):
    config = NoveltySearchConfig(
        population=12,
        truncation=3,
        sigma=0.01,
        generations=5,
        k=3,
        archive_rule=rule,
        archive_probability=0.3,
        final_episodes=2,
    )
    goal = lambda positions: np.linalg.norm(positions - 5.0, axis=1) < 2.0  # noqa: E731
    result = search.run_novelty_search(config, FakeEvaluator(positions=True), seed=9, goal=goal)
    reference, final = contract.novelty_reference(config, _synthetic_behaviour, 9)
    for ours, theirs, record in zip(result.populations, reference, result.records, strict=True):
        assert ours["genomes"] == theirs.population and ours["parents"] == theirs.parents
        np.testing.assert_array_equal(ours["novelty"], theirs.novelty)
        np.testing.assert_array_equal(ours["fitness"], theirs.fitness)
        assert record.archive_size == theirs.archive_size and ours["elite"] == theirs.elite
        assert record.reached == int(goal(ours["positions"]).sum())
        np.testing.assert_array_equal(ours["reached"], goal(ours["positions"]))
    assert result.final_score == final
    if rule == "one_random":
        assert [r.archive_size for r in result.records] == [1, 2, 3, 4, 5]
    # selection by novelty, not reward: the parents are the most novel individuals
    first = result.populations[0]
    assert first["parents"] == [first["genomes"][i] for i in np.argsort(-first["novelty"], kind="stable")[:3]]


def test_novelty_search_needs_positions():
    config = NoveltySearchConfig(population=4, truncation=2, sigma=0.01, generations=1)
    with pytest.raises(ValueError, match="no final positions; valid"):
        search.run_novelty_search(config, FakeEvaluator(positions=False), seed=0)


# ---------------------------------------------------------------------------------------------------------
# OpenAI-ES


def test_es_driver_bookkeeping():
    config = ESConfig(population=6, sigma=0.1, generations=4, episodes=1, mean_episodes=2, final_episodes=3)
    evaluator = FakeEvaluator(n_params=5)
    result = search.run_es(config, evaluator, seed=21)
    rng = np.random.default_rng(21)
    tau0 = int(rng.integers(0, 2**31, 1)[0])
    theta = evaluator.decode([(tau0,)])[0]
    steps = [c for c in evaluator.calls if c[0] == "es_step"]
    antithetic = [c for c in evaluator.calls if c[0] == "antithetic"]
    for generation in range(config.generations):
        taus = [int(s) for s in rng.integers(0, 2**31, 3)]
        eval_seed = int(rng.integers(0, 2**31, 1)[0])
        assert antithetic[generation][1] == taus and antithetic[generation][3] == eval_seed
        eps = np.stack([evaluator.eps(t) for t in taus])
        plus = -np.sum((theta + 0.1 * eps - 1.0).astype(np.float64) ** 2, axis=1)
        minus = -np.sum((theta - 0.1 * eps - 1.0).astype(np.float64) ** 2, axis=1)
        weights = contract.antithetic_weights(np.stack([plus, minus], axis=1))
        np.testing.assert_array_equal(steps[generation][2], weights)
        g = weights @ eps / (6 * 0.1)
        theta = (theta + 0.1 * g).astype(np.float32)
        rng.integers(0, 2**31, 1)  # the mean's evaluation seed
        record = result.records[generation]
        assert record.elite_fitness == pytest.approx(-np.sum((theta.astype(np.float64) - 1) ** 2))
        assert record.frames == 6 * 3 + 2 * 3 and record.evaluations == 7
    np.testing.assert_array_equal(result.theta, theta)
    assert result.final_frames == 9 and result.total_frames == 4 * 24 + 9
    assert result.records[-1].elite_fitness > result.records[0].elite_fitness  # it climbs toward theta = 1


# ---------------------------------------------------------------------------------------------------------
# reference tolerances catch wrong ES formulas (independent of any framework)


def test_es_reference_tolerance_separates_formula_errors():
    label, config, theta, state, taus, weights = contract._es_cases()[1]
    noise = contract.CHECK_NOISE
    good, _, _ = contract.es_step_numpy(noise, theta, state, taus, weights, config)
    _, tol = contract.es_tolerance(noise, config, state, taus, weights, theta.size)
    for wrong in (
        dataclasses.replace(config, sigma=config.sigma * 2),
        dataclasses.replace(config, l2_coefficient=0.0),
        dataclasses.replace(config, beta1=0.8),
    ):
        bad, _, _ = contract.es_step_numpy(noise, theta, state, taus, weights, wrong)
        assert np.max(np.abs(bad - good) - tol) > 0, wrong
    flipped, _, _ = contract.es_step_numpy(noise, theta, state, taus, -weights, config)
    assert np.max(np.abs(flipped - good) - tol) > 0
    assert math.isfinite(float(np.max(tol)))


# ---------------------------------------------------------------------------------------------------------
# short real runs (both frameworks, in-process): CartPole capped at 40 steps, a 4-8-2 MLP, population 8


@pytest.fixture(scope="module", params=FRAMEWORKS)
def real(request):
    from benchmarks.neuroevolution.distributed import InProcessEvaluator

    def make(env: EnvSpec, policy: PolicySpec, sigma: float) -> InProcessEvaluator:
        return InProcessEvaluator(request.param, policy, env, NoiseTableSpec(5, 2**14), sigma, cache_size=64, threads=2)

    return make


CARTPOLE = EnvSpec("cartpole", max_steps=40)
CARTPOLE_POLICY = PolicySpec("mlp", (4,), 2, hidden=(8,))


def test_real_ga_run(real):
    config = GAConfig(
        population=8, truncation=3, sigma=0.3, generations=3, elite_candidates=3, elite_episodes=2, final_episodes=3
    )
    first = search.run_ga(config, real(CARTPOLE, CARTPOLE_POLICY, 0.3), seed=0, keep_populations=True)
    again = search.run_ga(config, real(CARTPOLE, CARTPOLE_POLICY, 0.3), seed=0, keep_populations=True)
    assert [p["genomes"] for p in first.populations] == [p["genomes"] for p in again.populations]
    assert first.final_score == again.final_score
    # the decoder cache: generation 1 decodes 8 fresh genomes (misses), then finds the 3 candidates cached;
    # later every genome is the cached elite or a child of a cached parent
    assert first.records[0].cache_hit_rate == pytest.approx(3 / 11)
    assert [r.cache_hit_rate for r in first.records[1:]] == [1.0, 1.0]
    # CartPole pays 1 per step: a generation's frames are its returns summed (8 x 1 + 3 x 2 episodes)
    for record, population in zip(first.records, first.populations, strict=True):
        assert record.best_fitness == population["fitness"].max() <= CARTPOLE.max_steps
        assert 8 + 6 <= record.frames <= 14 * CARTPOLE.max_steps and record.evaluations == 11
    assert 3 <= first.final_frames <= 3 * CARTPOLE.max_steps
    assert first.final_score == pytest.approx(first.final_frames / 3)
    assert all(1 <= r.elite_fitness <= CARTPOLE.max_steps for r in first.records)


def test_real_es_and_novelty_runs(real):
    es = search.run_es(
        ESConfig(population=6, sigma=0.1, generations=2, final_episodes=2), real(CARTPOLE, CARTPOLE_POLICY, 0.3), seed=1
    )
    assert es.theta.shape == (n_params(CARTPOLE_POLICY),) and np.all(np.isfinite(es.theta))
    assert all(r.evaluations == 7 and r.frames >= 7 for r in es.records)
    maze = EnvSpec("deceptive_maze", max_steps=30)
    config = NoveltySearchConfig(population=8, truncation=3, sigma=0.3, generations=2, k=3, archive_rule="one_random")
    ns = search.run_novelty_search(
        config, real(maze, PolicySpec("mlp", (8,), 5, hidden=(6,)), 0.3), seed=2, goal=search.maze_goal
    )
    last = ns.populations[-1]
    np.testing.assert_allclose(last["fitness"], -np.linalg.norm(last["positions"] - MAZE_GOAL, axis=1), rtol=1e-6)
    assert [r.archive_size for r in ns.records] == [1, 2]
    assert all(r.reached == int(np.sum(p["reached"])) for r, p in zip(ns.records, ns.populations, strict=True))


def test_planted_decoder_hook():
    """The planted "decode drops a generation" goes through InProcessEvaluator(decoder=...): children then score
    exactly as their parent."""
    from benchmarks.neuroevolution.distributed import InProcessEvaluator
    from implementations.registry import load_backend, load_method

    load_backend("pytorch", "cpu", 2)
    genomes = load_method("policy_genomes", "pytorch")

    class DropsLastSeed(genomes.GenomeDecoder):
        def decode(self, batch):
            return super().decode([g[:-1] or g for g in batch])

    noise, children = NoiseTableSpec(5, 2**14), [(11,), (11, 1), (11, 2), (11, 3), (11, 4)]
    args = ("pytorch", CARTPOLE_POLICY, CARTPOLE, noise, 0.5)
    honest = InProcessEvaluator(*args, threads=2).evaluate_genomes(children, 2, 0).fitness
    planted = InProcessEvaluator(*args, threads=2, decoder=DropsLastSeed(CARTPOLE_POLICY, noise, 0.5, 0))
    dropped = planted.evaluate_genomes(children, 2, 0).fitness
    assert np.all(dropped == dropped[0]) and not np.all(honest == honest[0])
