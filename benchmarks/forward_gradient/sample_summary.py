"""Sufficient statistics of a stream of single-tangent forward gradients g_i at one point (a = grad f).

Samples arrive in chunks whose length is a multiple of the largest K, so blocks of K_max consecutive
samples never straddle chunks. Kept (all in float64):
- moments of r_i = ||g_i - a||^2 / ||a||^2, of |cos(g_i, a)| and of the error along a, g_i . a / ||a||^2 - 1;
- the per-coordinate sum of g_i (for the mean error vector of the omnibus test);
- per block of K_max samples and per K, the sum over its K_max / K sub-blocks of ||mean of K - a||^2 / ||a||^2
  (the bootstrap of the K-slope resamples these blocks: every K reuses the same samples).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.stats import Moments
from benchmarks.tables import measurements

MOMENT_MEASURES = ("sq_error_ratio", "abs_cosine", "along_error")


class SampleSummary:
    """Accumulates the statistics above; :meth:`rows` writes them as table rows."""

    def __init__(self, grad: np.ndarray, ks: list[int]) -> None:
        self.grad = np.asarray(grad, dtype=np.float64)
        self.grad32 = self.grad.astype(np.float32)
        self.sq_norm = float(self.grad @ self.grad)
        self.ks = list(ks)
        self.moments = {name: Moments() for name in MOMENT_MEASURES}
        self.coord_sum = np.zeros_like(self.grad)
        self.block_sums: list[np.ndarray] = []

    @property
    def count(self) -> int:
        return self.moments["sq_error_ratio"].count

    def add(self, chunk: np.ndarray) -> None:
        """Merge a [c, n] chunk of samples (c a multiple of max(ks))."""
        top = self.ks[-1]
        if len(chunk) % top:
            raise ValueError(f"chunk of {len(chunk)} samples is not a multiple of max(ks) = {top}")
        chunk = np.asarray(chunk, dtype=np.float32)
        diff = chunk - self.grad32  # float32 passes; every per-sample sum is over n terms, far above rounding
        sq = np.einsum("ij,ij->i", diff, diff).astype(np.float64) / self.sq_norm
        dot = (chunk @ self.grad32).astype(np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", chunk, chunk).astype(np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            cos = np.where(norms > 0, np.abs(dot) / (norms * np.sqrt(self.sq_norm)), 0.0)
        self.moments["sq_error_ratio"].add(sq)
        self.moments["abs_cosine"].add(cos)
        self.moments["along_error"].add(dot / self.sq_norm - 1.0)
        self.coord_sum += (np.ones(len(chunk), np.float32) @ chunk).astype(np.float64)
        self.block_sums.append(self._block_sums(chunk, sq))

    def _block_sums(self, chunk: np.ndarray, sq: np.ndarray) -> np.ndarray:
        """[blocks in chunk, len(ks)]: per block, the sum of the sub-block squared relative errors at each K."""
        top = self.ks[-1]
        blocks = len(chunk) // top
        out = np.empty((blocks, len(self.ks)))
        means, size = chunk, 1
        for j, k in enumerate(self.ks):
            if k == 1:
                errors = sq
            else:
                means = means.reshape(len(means) // (k // size), k // size, -1).sum(axis=1) * np.float32(size / k)
                size = k
                diff = means - self.grad32
                errors = np.einsum("ij,ij->i", diff, diff).astype(np.float64) / self.sq_norm
            out[:, j] = errors.reshape(blocks, top // k).sum(axis=1)
        return out

    def rows(self, fixed: dict[str, object]) -> list[pd.DataFrame]:
        """Table rows (``fixed`` holds the identity, task, method, seed, dim and distribution columns)."""
        base = {**fixed, "k": 0}
        coords = np.arange(self.grad.size)
        out = [
            measurements(base, "samples", self.count),
            measurements(base, "grad_norm", np.sqrt(self.sq_norm)),
            measurements(base, "grad", self.grad, step=coords),
            measurements(base, "coord_mean_error", self.coord_sum / self.count - self.grad, step=coords),
        ]
        for name, moments in self.moments.items():
            out.append(measurements(base, f"{name}_mean", moments.mean))
            out.append(measurements(base, f"{name}_var", moments.variance))
        sums = np.concatenate(self.block_sums)
        blocks = np.arange(len(sums))
        for j, k in enumerate(self.ks):
            out.append(measurements({**fixed, "k": k}, "block_sq_error_sum", sums[:, j], step=blocks))
        return out
