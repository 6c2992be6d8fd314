"""Synthetic tables in the study's exact layouts (search runs through the experiments' own row builder), for
testing the claim checks near their detection limits without running a search."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.neuroevolution.experiments.scaling import IN_PROCESS, LARGE, RAY, SMALL
from benchmarks.neuroevolution.runs import result_rows
from benchmarks.neuroevolution.search import GenerationRecord, SearchResult
from benchmarks.tables import measurements
from implementations.contracts.neuroevolution import GAConfig
from implementations.contracts.policy_genomes import SEED_BYTES

STUDY = "neuroevolution"
FRAMES_PER_GENERATION = 1000
EPISODE_CAP = 500


def identity(experiment: str, framework: str, task: str, method: str, seed: int = 1, **axes: object) -> dict:
    return {
        "study": STUDY,
        "experiment": experiment,
        "framework": framework,
        "device": "cpu",
        "task": task,
        "method": method,
        "seed": seed,
        **axes,
    }


def record(generation: int, elite: float, reached: int = -1, frames: int = FRAMES_PER_GENERATION) -> GenerationRecord:
    return GenerationRecord(
        generation=generation,
        best_fitness=elite,
        mean_fitness=elite / 2,
        elite_fitness=elite,
        frames=frames,
        cumulative_frames=frames * generation,
        wall_time=0.1,
        evaluations=10,
        bytes_sent=0,
        bytes_received=0,
        broadcast_bytes=0,
        genome_bytes=8 * 10 * generation,
        parameter_bytes=4 * 100 * 10,
        cache_hit_rate=float("nan"),
        reached=reached,
    )


def search_run(
    experiment: str,
    env: str,
    method: str,
    run: int,
    final: float,
    elite: list[float] | None = None,
    reached: list[int] | None = None,
    initial: np.ndarray | None = None,
    framework: str = "jax",
    positions: np.ndarray | None = None,
) -> pd.DataFrame:
    """One run's rows: per generation ``elite`` (default: ``final`` at every generation), ``reached`` counts,
    the run's final score, the first generation's fitness ``initial`` (the random networks), and final
    ``positions`` [M, 2] (the maze)."""
    elite = [final] * 3 if elite is None else elite
    reached = [-1] * len(elite) if reached is None else reached
    records = [record(g + 1, e, r) for g, (e, r) in enumerate(zip(elite, reached, strict=True))]
    populations = [{"fitness": np.asarray(initial, float)}] if initial is not None else []
    frames = FRAMES_PER_GENERATION * len(records)
    result = SearchResult(
        method, GAConfig(population=4, truncation=2, elite_candidates=2), 7, records, final, 10, frames + 10
    )
    result.populations = populations
    fixed = identity(experiment, framework, env, method, seed=1000 + run, run=run)
    return result_rows(fixed, result, final_episodes=100, positions=positions, episode_cap=EPISODE_CAP)


def search_table(
    experiment: str,
    env: str,
    scores: dict[str, np.ndarray],
    elite: dict[str, list[list[float]]] | None = None,
    reached: dict[str, list[list[int]]] | None = None,
    initial: dict[str, list[np.ndarray]] | None = None,
    positions: dict[str, list[np.ndarray]] | None = None,
    framework: str = "jax",
) -> pd.DataFrame:
    """Runs of several methods on one environment (in ``framework``): ``scores[method][i]`` is run i's final
    score (and its elite score at every generation unless ``elite[method][i]`` gives the curve);
    ``reached[method][i]`` the goal counts per generation; ``initial[method][i]`` the first generation's fitness;
    ``positions[method][i]`` final positions [M, 2]. The rows of one template run (:func:`search_run`, the
    experiments' own builder) are replicated per run with these values (every run of a method must have the same
    number of generations, initial networks and positions)."""
    parts = []
    for method, finals in scores.items():
        n = len(finals)
        given = (reached or {}).get(method)
        length = len(given[0]) if given else 3
        curves = (elite or {}).get(method) or [[float(v)] * length for v in finals]
        goals = given or [[-1] * len(curves[0])] * n
        starts = (initial or {}).get(method)
        ends = (positions or {}).get(method)
        generations = len(curves[0])
        template = search_run(
            experiment,
            env,
            method,
            0,
            0.0,
            elite=[0.0] * generations,
            reached=[0] * generations,
            initial=None if starts is None else np.zeros(len(starts[0])),
            framework=framework,
            positions=None if ends is None else np.zeros((len(ends[0]), 2)),
        )
        rows = pd.concat([template] * n, ignore_index=True)
        run = np.repeat(np.arange(n), len(template))
        rows["run"], rows["seed"] = run, 1000 + run
        values = {
            "final_score": np.asarray(finals, float),
            "elite_fitness": np.concatenate(curves),
            "best_fitness": np.concatenate(curves),
            "reached": np.concatenate(goals).astype(float),
        }
        if starts is not None:
            values["initial_fitness"] = np.concatenate(starts)
        if ends is not None:
            values["final_x"] = np.concatenate([e[:, 0] for e in ends])
            values["final_y"] = np.concatenate([e[:, 1] for e in ends])
        for measure, column in values.items():
            rows.loc[rows["measure"] == measure, "value"] = column
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------------------- encoding
def decode_rows(
    framework: str,
    theta: dict[tuple[int, int], np.ndarray],
    coordinates: np.ndarray,
    path_gap: float = 0.0,
    excess: float = 0.5,
    task: str = "mlp_cartpole",
) -> pd.DataFrame:
    """The decode rows of one framework: per (generations, genome) key the sampled coordinates of ``theta``
    (a full vector), its float64 norm and largest |theta|, the path gaps and the reference excess."""
    parts = []
    for (g, i), vector in theta.items():
        fixed = identity("encoding", framework, task, "decode", generations=g, genome=i)
        scalars = {
            "path_gap_again": path_gap,
            "path_gap_reversed": 0.0,
            "path_gap_cached": 0.0,
            "reference_excess": excess,
            "reference_error": 1e-8,
            "theta_norm": float(np.linalg.norm(vector.astype(np.float64))),
            "theta_scale": float(np.max(np.abs(vector))),
            "n_params_decoded": float(vector.size),
        }
        for name, value in scalars.items():
            parts.append(measurements(fixed, name, value, coordinate=[-1]))
        parts.append(measurements(fixed, "theta", vector[coordinates], coordinate=coordinates))
    return pd.concat(parts, ignore_index=True)


def size_rows(
    framework: str, counts: dict[int, int], generations: list[int], bytes_per_seed: float = SEED_BYTES
) -> pd.DataFrame:
    """G2/G3 rows of the Atari net as the experiment writes them (``bytes_per_seed`` != 8 plants a defect)."""
    parts = []
    for actions, count in counts.items():
        fixed = identity("encoding", framework, f"atari_dqn_{actions}", "size", seed=0, generations=-1, genome=-1)
        for name, value in (("n_params_layout", count), ("n_params_decoded", count), ("parameter_bytes", 4 * count)):
            parts.append(measurements(fixed, name, float(value), coordinate=[-1]))
    first = next(iter(counts))
    for g in generations:
        fixed = identity("encoding", framework, f"atari_dqn_{first}", "size", seed=0, generations=g, genome=-1)
        parts.append(measurements(fixed, "genome_bytes", bytes_per_seed * (g + 1), coordinate=[-1]))
        parts.append(measurements(fixed, "genome_bytes_formula", SEED_BYTES * (g + 1.0), coordinate=[-1]))
        parts.append(measurements(fixed, "pickle_bytes", 12.0 * (g + 1), coordinate=[-1]))
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------------------- scaling
def scaling_table(
    seconds: dict[tuple[str, int], np.ndarray],
    traffic: dict[str, np.ndarray],
    params: dict[str, int],
    framework: str = "jax",
) -> pd.DataFrame:
    """Per (engine, workers) the small net's seconds per generation; per net the bytes sent on the most
    workers (received: a tenth of it); parameter counts."""
    most = max(w for _, w in seconds)
    parts = []
    for (engine, workers), values in seconds.items():
        fixed = identity("scaling", framework, SMALL, f"ga {engine} x{workers}", engine=engine, workers=workers)
        generations = np.arange(2, 2 + len(values))
        parts.append(measurements(fixed, "wall_time", values, generation=generations, step=generations))
    for task, sent in traffic.items():
        fixed = identity("scaling", framework, task, f"ga {RAY} x{most}", engine=RAY, workers=most)
        generations = np.arange(2, 2 + len(sent))
        parts.append(measurements(fixed, "bytes_sent", sent, generation=generations))
        parts.append(measurements(fixed, "bytes_received", sent / 10, generation=generations))
        would = np.full(len(sent), 4.0 * params[task] * 16)
        parts.append(measurements(fixed, "parameter_bytes", would, generation=generations))
        parts.append(measurements(fixed, "n_params", float(params[task]), generation=[0]))
    return pd.concat(parts, ignore_index=True)


def throughput_table(framework: str, seconds: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per engine (``suite``, ``library``) the seconds per generation of each timed round."""
    parts = []
    for engine, values in seconds.items():
        fixed = identity("throughput", framework, "cartpole", f"{engine} GA", engine=engine)
        parts.append(measurements(fixed, "seconds_per_generation", values, step=np.arange(len(values))))
        parts.append(measurements(fixed, "first_call_seconds", 3.0))
    return pd.concat(parts, ignore_index=True)


__all__ = [
    "IN_PROCESS",
    "LARGE",
    "RAY",
    "SMALL",
    "decode_rows",
    "scaling_table",
    "search_table",
    "size_rows",
    "throughput_table",
]
