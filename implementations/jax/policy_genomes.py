"""Seed-list genomes and policy nets of Deep Neuroevolution (Such et al. 2017, arXiv:1712.06567, Sec. 3.1) in
JAX. Contract (noise table, genome decoding, layouts, the nets): :mod:`implementations.contracts.policy_genomes`.

- :class:`GenomeDecoder`: decoding with a parent cache (the plan and the cache are the contract's
  :class:`~implementations.contracts.policy_genomes.DecoderCore`). The shared noise table is one device array,
  put on the configured device once; a batch of seeds gathers its noise with ``lax.dynamic_slice`` under
  ``vmap``, and theta^0 = ``scales * eps`` of a batch, or a batch of children ``parent + sigma * eps`` (the
  parents gathered from the cache, one device array, and/or the previous level's batch), is one jitted call;
  storing into the cache donates it (updated in place). The product ``sigma * eps`` is rounded to float32
  before the addition (:func:`_rounded`; XLA would fuse the two into a multiply-add), so JAX decodes to the
  same bits as PyTorch and NumPy's float32.
- :func:`forward`: the net for one individual (:func:`_forward_one`: ``lax.conv_general_dilated`` with NHWC
  inputs and HWIO kernels, XLA's own SAME padding) ``vmap``-ed over the population and jitted once per policy;
  traceable, so a rollout can call it inside ``jit``/``scan``. Products and convs ask for
  ``Precision.HIGHEST`` (plain float32 on GPUs too).
- :func:`weighted_noise_sum`: ``sum_i w_i eps(tau_i)`` (Salimans et al. 2017, arXiv:1703.03864, Algorithm 2)
  as a ``lax.scan`` over chunks of seeds, each chunk one ``w @ eps`` product.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from implementations.contracts.policy_genomes import (
    DecoderCore,
    Layer,
    NoiseTableSpec,
    PolicySpec,
    Source,
    check_batch_shapes,
    check_table_fits,
    check_weights,
    init_scales,
    layer_shapes,
    noise_offsets,
    noise_table_numpy,
    param_slices,
    rows_per_chunk,
)

from . import backend

_HIGHEST = jax.lax.Precision.HIGHEST


@functools.lru_cache(maxsize=2)
def _device_table(noise: NoiseTableSpec, device: jax.Device) -> jax.Array:
    """The shared table on ``device``, put there once."""
    return jax.device_put(noise_table_numpy(noise), device)


def _gather(table: jax.Array, offsets: jax.Array, n_params: int) -> jax.Array:
    """[n, P]: ``table[o : o + P]`` for every offset."""
    return jax.vmap(lambda o: jax.lax.dynamic_slice(table, (o,), (n_params,)))(offsets)


@jax.jit
def _initial_batch(table: jax.Array, scales: jax.Array, offsets: jax.Array) -> jax.Array:
    return scales * _gather(table, offsets, scales.shape[0])


def _rounded(x: jax.Array, zero: jax.Array) -> jax.Array:
    """``x`` unchanged, but as the operand of an integer OR with a runtime 0 that XLA cannot fold: a product
    passed through it is rounded to float32 before the next addition (XLA would otherwise contract
    ``theta + sigma * eps`` into one fused multiply-add, one rounding where PyTorch and NumPy make two)."""
    bits = jax.lax.bitcast_convert_type(x, jnp.int32) | zero
    return jax.lax.bitcast_convert_type(bits, jnp.float32)


@jax.jit
def _mutated_batch(
    table: jax.Array,
    previous: jax.Array | None,
    previous_rows: jax.Array,
    cache: jax.Array | None,
    cache_rows: jax.Array,
    offsets: jax.Array,
    sigma: jax.Array,
    zero: jax.Array,
) -> jax.Array:
    """parents + (sigma * eps): each parent a row of ``previous`` (where its previous row is >= 0) or of the
    cache (either array None when no parent comes from it)."""
    if previous is None:
        parents = cache[cache_rows]
    elif cache is None:
        parents = previous[previous_rows]
    else:
        from_previous = (previous_rows >= 0)[:, None]
        parents = jnp.where(from_previous, previous[jnp.maximum(previous_rows, 0)], cache[jnp.maximum(cache_rows, 0)])
    return parents + _rounded(sigma * _gather(table, offsets, parents.shape[1]), zero)


@functools.partial(jax.jit, donate_argnums=0)
def _placed(out: jax.Array, array: jax.Array, rows: jax.Array, positions: jax.Array) -> jax.Array:
    """``out[positions] = array[rows]`` (in place); padded positions (= len(out)) are dropped. One call per
    source, so the compiled shapes are (output, source, bucket) triples, not every combination of sources."""
    return out.at[positions].set(array[rows], mode="drop")


@functools.partial(jax.jit, donate_argnums=0)
def _stored(cache: jax.Array, slots: jax.Array, array: jax.Array, rows: jax.Array) -> jax.Array:
    """``cache[slots] = array[rows]``; padded slots (= the cache's size) are dropped."""
    return cache.at[slots].set(array[rows], mode="drop")


def _bucket(count: int) -> int:
    """The padded length of an index vector of ``count`` entries: the next power of two (at least 8), so a
    run's changing batch sizes (the cache's misses differ every generation) reuse a handful of compiled
    shapes instead of compiling every new size."""
    return max(8, 1 << (max(count, 1) - 1).bit_length())


def _index(rows: np.ndarray, fill: int = 0) -> jax.Array:
    """int32 ``rows`` padded to :func:`_bucket` length with ``fill``."""
    rows = np.asarray(rows, np.int64)
    padded = np.full(_bucket(len(rows)), fill, np.int32)
    padded[: len(rows)] = rows
    return backend.from_numpy(padded)


class GenomeDecoder(DecoderCore[jax.Array]):
    """Genome -> theta [n, P] float32 on the configured device, with an LRU cache of decoded genomes (see
    :class:`~implementations.contracts.policy_genomes.DecoderCore`: ``decode``, ``hits``, ``misses``,
    ``hit_rate``). Every index vector is padded to a power-of-two length (:func:`_bucket`), so a level's batch
    carries padding rows (``pads_batches``) and the jitted primitives compile once per bucket, not per size."""

    pads_batches = True

    def __init__(self, policy: PolicySpec, noise: NoiseTableSpec, sigma: float, cache_size: int) -> None:
        super().__init__(policy, noise, sigma, cache_size)
        self._table = _device_table(noise, backend.device())
        self._scales = backend.from_numpy(init_scales(policy))
        self._sigma32 = backend.from_numpy(np.float32(self.sigma))
        self._zero = backend.from_numpy(np.int32(0))

    def _allocate(self, rows: int) -> jax.Array:
        return backend.from_numpy(np.zeros((rows, self.n_params), np.float32))

    def _initial(self, offsets: np.ndarray) -> jax.Array:
        return _initial_batch(self._table, self._scales, _index(offsets))

    def _mutated(
        self, previous: jax.Array | None, previous_rows: np.ndarray, cache_rows: np.ndarray, offsets: np.ndarray
    ) -> jax.Array:
        cache = self._buffer if np.any(cache_rows >= 0) else None
        previous = previous if np.any(previous_rows >= 0) else None
        return _mutated_batch(
            self._table,
            previous,
            _index(previous_rows),
            cache,
            _index(cache_rows),
            _index(offsets),
            self._sigma32,
            self._zero,
        )

    def _assemble(self, sources: list[Source], count: int) -> jax.Array:
        out = self._allocate(count)
        for s in sources:
            out = _placed(out, s.array, _index(s.rows), _index(s.positions, fill=count))
        return out

    def _store(self, slots: np.ndarray, array: jax.Array, rows: np.ndarray) -> None:
        self._buffer = _stored(self._buffer, _index(slots, fill=self.cache_size), array, _index(rows))


def decode(genomes: Sequence[tuple[int, ...]], policy: PolicySpec, noise: NoiseTableSpec, sigma: float) -> np.ndarray:
    """float32 [len(genomes), P]: theta^g of every genome (an uncached decoder)."""
    return backend.to_numpy(GenomeDecoder(policy, noise, sigma, 0).decode(genomes))


def _activation(name: str, z: jax.Array) -> jax.Array:
    if name == "relu":
        return jax.nn.relu(z)
    if name == "tanh":
        return jnp.tanh(z)
    return z


def _layer(layer: Layer, weight: jax.Array, bias: jax.Array, x: jax.Array) -> jax.Array:
    """Pre-activation of one layer for one individual: x (H, W, C) for a conv, anything for a dense layer."""
    if layer.op == "conv":
        z = jax.lax.conv_general_dilated(
            x[None],
            weight,
            (layer.stride, layer.stride),
            layer.padding,
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
            precision=_HIGHEST,
        )
        return z[0] + bias
    return jnp.matmul(x.reshape(-1), weight, precision=_HIGHEST) + bias


def _forward_one(policy: PolicySpec, theta: jax.Array, observation: jax.Array) -> jax.Array:
    """Logits [n_actions] of one individual's theta [P] on its observation."""
    p = {name: theta[a:b].reshape(shape) for name, a, b, shape in param_slices(policy)}
    x = observation.astype(jnp.float32)
    for layer in layer_shapes(policy):
        z = _layer(layer, p[f"{layer.name}.weight"], p[f"{layer.name}.bias"], x)
        x = _activation(layer.activation, z)
    return x


@functools.cache
def _compiled_forward(policy: PolicySpec) -> Callable[[jax.Array, jax.Array], jax.Array]:
    return jax.jit(jax.vmap(functools.partial(_forward_one, policy)))


def policy_function(policy: PolicySpec, params: jax.Array) -> jax.tree_util.Partial:
    """``observations -> logits`` for a fixed batch of params [pop, P] (as :func:`forward`): a traceable
    ``jax.tree_util.Partial`` holding the params as a leaf, so a function compiled on it serves any params."""
    check_batch_shapes(policy, tuple(params.shape), (params.shape[0], *policy.observation_shape))
    return jax.tree_util.Partial(_compiled_forward(policy), params)


def forward(policy: PolicySpec, params: jax.Array, observations: jax.Array) -> jax.Array:
    """Logits [pop, n_actions] (float32) of params [pop, P] on observations [pop, *observation_shape]
    (traceable)."""
    check_batch_shapes(policy, tuple(params.shape), tuple(observations.shape))
    return _compiled_forward(policy)(params, observations)


@functools.partial(jax.jit, static_argnames="n_params")
def _weighted_sum(table: jax.Array, offsets: jax.Array, weights: jax.Array, n_params: int) -> jax.Array:
    """``sum w eps`` over chunks: offsets and weights [chunks, chunk] (padding weights are 0)."""

    def add_chunk(total: jax.Array, chunk: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, None]:
        o, w = chunk
        return total + jnp.matmul(w, _gather(table, o, n_params), precision=_HIGHEST), None

    total, _ = jax.lax.scan(add_chunk, jnp.zeros(n_params, jnp.float32), (offsets, weights))
    return total


def weighted_noise_sum(
    noise: NoiseTableSpec, taus: Sequence[int], weights: jax.Array | np.ndarray, n_params: int
) -> jax.Array:
    """``sum_i weights[i] * eps(taus[i])`` [n_params] float32 on the configured device (chunks of
    :func:`~implementations.contracts.policy_genomes.rows_per_chunk` seeds)."""
    seeds = check_weights(taus, np.shape(weights))
    check_table_fits(noise, n_params)
    chunk = rows_per_chunk(len(seeds), n_params)
    chunks = -(-len(seeds) // chunk)
    offsets = np.zeros(chunks * chunk, np.int32)
    offsets[: len(seeds)] = noise_offsets(seeds, noise.size, n_params)
    w = jnp.zeros(chunks * chunk, jnp.float32).at[: len(seeds)].set(jnp.asarray(weights, jnp.float32))
    table = _device_table(noise, backend.device())
    return _weighted_sum(table, backend.from_numpy(offsets).reshape(chunks, chunk), w.reshape(chunks, chunk), n_params)
