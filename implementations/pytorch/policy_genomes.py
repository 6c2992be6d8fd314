"""Seed-list genomes and policy nets of Deep Neuroevolution (Such et al. 2017, arXiv:1712.06567, Sec. 3.1) in
PyTorch. Contract (noise table, genome decoding, layouts, the nets): :mod:`implementations.contracts.policy_genomes`.

- :class:`GenomeDecoder`: decoding with a parent cache (the plan and the cache are the contract's
  :class:`~implementations.contracts.policy_genomes.DecoderCore`). The shared noise table lives once on the
  configured device; ``table.unfold(0, P, 1)`` views it as every window of P numbers (no copy), so the noise
  of a whole batch of seeds is one gather ``windows.index_select(0, offsets)`` (long rows: one ``copy_`` per
  row, faster on the CPU). theta^0 = ``scales * eps``; a batch of children is ``(sigma * eps) + parents``, in
  place in the gathered noise, the parents added from the cache rows and/or the previous level's batch.
- :func:`forward`: every individual has its own weights, so each conv layer is one grouped ``conv2d`` with the
  population as groups (input ``[1, pop * C, H, W]``); SAME padding is padded explicitly with ``F.pad``
  (TensorFlow's asymmetric split, :func:`~implementations.contracts.policy_genomes.same_padding`), dense layers
  are ``baddbmm``. On CUDA, convs run in IEEE float32 (no TF32). :func:`policy_function` cuts the per-layer
  views of a parameter batch once, for a rollout's many steps.
- :func:`weighted_noise_sum`: ``sum_i w_i eps(tau_i)`` (Salimans et al. 2017, arXiv:1703.03864, Algorithm 2)
  as chunked ``w @ eps`` products.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from implementations.contracts.policy_genomes import (
    DecoderCore,
    Layer,
    NoiseTableSpec,
    PolicySpec,
    Source,
    check_batch_shapes,
    check_table_fits,
    check_weights,
    conv_padding,
    init_scales,
    layer_shapes,
    noise_offsets,
    noise_table_numpy,
    param_slices,
    rows_per_chunk,
)

from . import backend


@functools.lru_cache(maxsize=2)
def _device_table(noise: NoiseTableSpec, device: torch.device) -> torch.Tensor:
    """The shared table on ``device``, copied there once."""
    return torch.from_numpy(noise_table_numpy(noise).copy()).to(device)


_ROW_LOOP_MIN = 2**16
"""Rows at least this long are gathered and copied one by one (``narrow`` + ``copy_``/``add_``): PyTorch's CPU
``index_select`` moves long rows several times slower than a plain copy, and per-row overhead is negligible."""


def _index(rows: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(rows, np.int64), device=device)


def _gather(noise: NoiseTableSpec, offsets: np.ndarray, n_params: int, device: torch.device) -> torch.Tensor:
    """[n, P] (a new tensor): ``table[o : o + P]`` for every offset, one ``index_select`` of the table's
    windows (``unfold(0, P, 1)``, a view) or, for rows of :data:`_ROW_LOOP_MIN` numbers or more, row by row."""
    table = _device_table(noise, device)
    if n_params < _ROW_LOOP_MIN:
        return table.unfold(0, n_params, 1).index_select(0, _index(offsets, device))
    out = torch.empty((len(offsets), n_params), dtype=torch.float32, device=device)
    for row, offset in zip(out, offsets.tolist(), strict=True):
        row.copy_(table.narrow(0, offset, n_params))
    return out


class GenomeDecoder(DecoderCore[torch.Tensor]):
    """Genome -> theta [n, P] float32 on the configured device, with an LRU cache of decoded genomes (see
    :class:`~implementations.contracts.policy_genomes.DecoderCore`: ``decode``, ``hits``, ``misses``,
    ``hit_rate``)."""

    def __init__(self, policy: PolicySpec, noise: NoiseTableSpec, sigma: float, cache_size: int) -> None:
        super().__init__(policy, noise, sigma, cache_size)
        self._device = backend.device()
        self._scales = torch.from_numpy(init_scales(policy).copy()).to(self._device)
        self._sigma32 = float(np.float32(self.sigma))

    def _copy_rows(
        self, out: torch.Tensor, positions: np.ndarray, source: torch.Tensor, rows: np.ndarray, add: bool
    ) -> None:
        """``out[positions] (+)= source[rows]`` (an exact copy, or one float32 addition per element): row by
        row for long rows, else through temporary blocks of at most CHUNK_ELEMENTS numbers."""
        if self.n_params >= _ROW_LOOP_MIN:
            for position, row in zip(positions.tolist(), rows.tolist(), strict=True):
                (out[position].add_ if add else out[position].copy_)(source[row])
            return
        chunk = rows_per_chunk(len(rows), self.n_params)
        for start in range(0, len(rows), chunk):
            block = source.index_select(0, _index(rows[start : start + chunk], self._device))
            where = positions[start : start + chunk]
            first = int(where[0])
            if np.array_equal(where, np.arange(first, first + len(where))):  # a slice: no scattered writes
                target = out[first : first + len(where)]
                if add:
                    target.add_(block)
                else:
                    target.copy_(block)
            elif add:
                out.index_add_(0, _index(where, self._device), block)
            else:
                out.index_copy_(0, _index(where, self._device), block)

    def _allocate(self, rows: int) -> torch.Tensor:
        return torch.zeros((rows, self.n_params), dtype=torch.float32, device=self._device)

    @torch.no_grad()
    def _initial(self, offsets: np.ndarray) -> torch.Tensor:
        return _gather(self.noise, offsets, self.n_params, self._device).mul_(self._scales)

    @torch.no_grad()
    def _mutated(
        self, previous: torch.Tensor | None, previous_rows: np.ndarray, cache_rows: np.ndarray, offsets: np.ndarray
    ) -> torch.Tensor:
        out = _gather(self.noise, offsets, self.n_params, self._device).mul_(self._sigma32)
        from_previous = previous_rows >= 0
        for source, rows, chosen in (
            (previous, previous_rows, from_previous),
            (self._buffer, cache_rows, ~from_previous),
        ):
            if chosen.any():
                self._copy_rows(out, np.flatnonzero(chosen), source, rows[chosen], add=True)
        return out

    @torch.no_grad()
    def _assemble(self, sources: list[Source], count: int) -> torch.Tensor:
        out = torch.empty((count, self.n_params), dtype=torch.float32, device=self._device)
        for source in sources:
            self._copy_rows(out, source.positions, source.array, source.rows, add=False)
        return out

    @torch.no_grad()
    def _store(self, slots: np.ndarray, array: torch.Tensor, rows: np.ndarray) -> None:
        self._copy_rows(self._buffer, slots, array, rows, add=False)


def decode(genomes: Sequence[tuple[int, ...]], policy: PolicySpec, noise: NoiseTableSpec, sigma: float) -> np.ndarray:
    """float32 [len(genomes), P]: theta^g of every genome (an uncached decoder)."""
    return backend.to_numpy(GenomeDecoder(policy, noise, sigma, 0).decode(genomes))


@contextlib.contextmanager
def _ieee_convolutions() -> Iterator[None]:
    """cuDNN convolutions in IEEE float32 (its default on Ampere and later is TF32) while inside."""
    conv = torch.backends.cudnn.conv
    previous = conv.fp32_precision
    conv.fp32_precision = "ieee"
    try:
        yield
    finally:
        conv.fp32_precision = previous


def _activation(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "relu":
        return torch.relu(z)
    if name == "tanh":
        return torch.tanh(z)
    return z


def _layer_views(policy: PolicySpec, params: torch.Tensor) -> list[tuple[Layer, torch.Tensor, torch.Tensor]]:
    """(layer, weight, bias) per layer of a population's params [pop, P], the weights already in the layout
    the layer's op takes (grouped conv kernels [pop * out, in, kh, kw]; batched matrices [pop, in, out])."""
    pop = params.shape[0]
    slices = param_slices(policy)
    parts = torch.split(params, [b - a for _, a, b, _ in slices], dim=1)
    p = {name: part for (name, _, _, _), part in zip(slices, parts, strict=True)}
    views = []
    for layer in layer_shapes(policy):
        weight, bias = p[f"{layer.name}.weight"], p[f"{layer.name}.bias"]
        if layer.op == "conv":
            kh, kw, cin, cout = layer.weight_shape
            weight = weight.reshape(pop, kh, kw, cin, cout).permute(0, 4, 3, 1, 2).reshape(pop * cout, cin, kh, kw)
            views.append((layer, weight, bias.reshape(-1)))
        else:
            views.append((layer, weight.reshape(pop, *layer.weight_shape), bias.unsqueeze(1)))
    return views


def policy_function(policy: PolicySpec, params: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``observations [pop, *observation_shape] -> logits [pop, n_actions]`` for a fixed batch of params
    [pop, P]: the per-layer views are cut once, so a rollout's every step pays only the layers' products."""
    check_batch_shapes(policy, tuple(params.shape), (params.shape[0], *policy.observation_shape))
    pop = params.shape[0]
    views = _layer_views(policy, params)
    expected = (pop, *policy.observation_shape)

    @torch.no_grad()
    def logits(observations: torch.Tensor) -> torch.Tensor:
        if tuple(observations.shape) != expected:
            check_batch_shapes(policy, tuple(params.shape), tuple(observations.shape))
        x = observations.to(torch.float32)
        if x.dim() == 4:
            x = x.permute(0, 3, 1, 2)  # [pop, C, H, W]
        with _ieee_convolutions():
            for layer, weight, bias in views:
                if layer.op == "conv":
                    cin = layer.weight_shape[2]
                    (top, bottom), (left, right) = conv_padding(layer)
                    grid = F.pad(x.reshape(1, pop * cin, *x.shape[2:]), (left, right, top, bottom))
                    z = F.conv2d(grid, weight, bias, stride=layer.stride, groups=pop)
                    x = _activation(layer.activation, z.reshape(pop, -1, *z.shape[2:]))
                else:
                    if x.dim() == 4:
                        x = x.permute(0, 2, 3, 1)  # the layout's (H, W, C) flattening order
                    z = torch.baddbmm(bias, x.reshape(pop, 1, -1), weight)
                    x = _activation(layer.activation, z.squeeze(1))
        return x

    return logits


@torch.no_grad()
def forward(policy: PolicySpec, params: torch.Tensor, observations: torch.Tensor) -> torch.Tensor:
    """Logits [pop, n_actions] (float32) of params [pop, P] on observations [pop, *observation_shape]."""
    check_batch_shapes(policy, tuple(params.shape), tuple(observations.shape))
    return policy_function(policy, params)(observations)


@torch.no_grad()
def weighted_noise_sum(
    noise: NoiseTableSpec, taus: Sequence[int], weights: torch.Tensor | np.ndarray, n_params: int
) -> torch.Tensor:
    """``sum_i weights[i] * eps(taus[i])`` [n_params] float32 on the configured device (chunks of
    :func:`~implementations.contracts.policy_genomes.rows_per_chunk` seeds)."""
    seeds = check_weights(taus, np.shape(weights))
    check_table_fits(noise, n_params)
    w = weights.to(backend.device(), torch.float32) if torch.is_tensor(weights) else backend.from_numpy(weights)
    offsets = noise_offsets(seeds, noise.size, n_params)
    out = torch.zeros(n_params, dtype=torch.float32, device=backend.device())
    chunk = rows_per_chunk(len(seeds), n_params)
    for start in range(0, len(seeds), chunk):
        out += w[start : start + chunk] @ _gather(noise, offsets[start : start + chunk], n_params, backend.device())
    return out
