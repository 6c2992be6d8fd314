"""Experiment ``perturbation`` (claim B5): weight- vs activity-perturbed forward gradients of every layer of a
ReLU MLP on a real batch (Ren et al. 2023, Sec. 3; definitions in :mod:`implementations.contracts.perturbation`).

At one LeCun-normal point of the MLP on the first ``batch`` digits images, for each tangent law, layer and
kind, ``samples`` estimates g_i of grad_W f (tangents from the framework's generator); kept: the moments of
r_i = ||g_i - grad_W f||^2 / ||grad_W f||^2 (float64), never the samples. Rows per (law, layer, kind):
``samples``, ``sq_error_ratio_mean``, ``sq_error_ratio_var``, ``theory`` (the derived E r, from the float64
reference), ``grad_norm``, ``weights`` (fan_in x fan_out) and ``units`` (fan_out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from benchmarks.forward_variants.tasks import perturbation_task
from benchmarks.seeding import derive_seed
from benchmarks.stats import Moments
from benchmarks.tables import measurements
from implementations.contracts.perturbation import KINDS, layer_terms_numpy, relative_variance_numpy

if TYPE_CHECKING:
    from benchmarks.runner import RunContext

NAME = "perturbation"
CHUNK_FLOATS = 1 << 21
"""Floats of estimates per chunk (8 MiB)."""


def run(ctx: RunContext) -> pd.DataFrame:
    """All measurements of this experiment for one framework."""
    cfg = ctx.config
    pt = ctx.methods["perturbation"]
    name, spec, theta = perturbation_task(list(cfg.layers), cfg.batch, ctx.root_seed)
    items = [(law, layer, kind) for law in cfg.distributions for layer in range(len(cfg.layers) - 1) for kind in KINDS]
    parts: list[pd.DataFrame] = []
    for law, layer, kind in ctx.progress.over(items, lambda i: f"{i[0]} layer {i[1]} {i[2]}"):
        x, a = layer_terms_numpy(spec, theta, layer)
        grad = pt.layer_gradient(spec, theta, layer).astype(np.float32)
        sq_norm = float(np.sum(grad.astype(np.float64) ** 2))
        seed = derive_seed(ctx.root_seed, NAME, ctx.framework, law, layer, kind)
        chunk = max(1, CHUNK_FLOATS // grad.size)
        moments = Moments()
        for rows in pt.iter_perturbed(spec, theta, layer, kind, seed, law, cfg.samples, chunk):
            diff = (rows - grad).reshape(len(rows), -1)
            moments.add(np.einsum("ij,ij->i", diff, diff).astype(np.float64) / sq_norm)
        fixed = ctx.identity(task=name, method=kind, seed=seed, distribution=law, layer=layer)
        values = {
            "samples": moments.count,
            "sq_error_ratio_mean": moments.mean,
            "sq_error_ratio_var": moments.variance,
            "theory": relative_variance_numpy(x, a, kind, law),
            "grad_norm": np.sqrt(sq_norm),
            "weights": grad.size,
            "units": grad.shape[1],
        }
        parts += [measurements(fixed, measure, value) for measure, value in values.items()]
    return pd.concat(parts, ignore_index=True)
