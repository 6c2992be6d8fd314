"""Contract of the neuroevolution policies: seed-list genomes, the shared noise table and the policy nets
(``implementations/<framework>/policy_genomes.py``; a model, not a method).

Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep
Neural Networks for Reinforcement Learning", arXiv:1712.06567, Sec. 3.1 (the GA and its compact encoding),
with the shared noise table of Salimans et al. 2017, "Evolution Strategies as a Scalable Alternative to
Reinforcement Learning", arXiv:1703.03864, Sec. 2.1 (Algorithm 2: workers share one table of Gaussian noise and
exchange only the seeds, i.e. offsets into it).

**Noise table** (:class:`NoiseTableSpec`, :func:`noise_table_numpy`): ``table = np.random.default_rng(seed)
.standard_normal(size, dtype=float32)``, made once per process and shared by both frameworks, so a genome
decodes to the same parameters in PyTorch and JAX. The noise of seed tau for a net of P parameters is the slice
``eps(tau) = table[o : o + P]`` with ``o = noise_offset(tau, size, P) = tau mod (size - P + 1)``.

**Genome** (Sec. 3.1): a tuple of seeds ``(tau_0, tau_1, ..., tau_g)`` (ints in ``[0, 2**63)``, stored as int64:
:func:`genome_bytes`), decoded by

- ``theta^0 = phi(tau_0)``: every weight of layer l is ``s_l * eps(tau_0)_k`` with ``s_l = std_l / sqrt(fan_in_l)``
  (:data:`HIDDEN_STD` on hidden layers, :data:`OUTPUT_STD` on the output layer, the original code's
  initialiser), every bias 0;
- ``theta^n = theta^(n-1) + sigma * eps(tau_n)`` for n = 1..g.

In float32 exactly in this order (``s * eps`` for theta^0; ``theta + (sigma * eps)`` per generation, sigma
rounded to float32 first, the product rounded before the sum: no fused multiply-add), so that every decoding
path of one framework (cached parent or not) gives the same bits, and PyTorch, JAX and NumPy's float32
arithmetic give the same bits on the CPU (claim G1's cross-framework check allows 1e-6 relative).

**Policies** (:class:`PolicySpec`, :func:`layer_shapes`), a batch of ``pop`` individuals at once, each with its
own parameters and its own observation (:meth:`PolicyGenomes.forward`); observations are cast to float32, no
scaling:

- ``mlp``: observation ``(d,)``; ``tanh`` hidden layers of widths ``hidden``, linear output layer of
  ``n_actions`` logits.
- ``minatar_cnn`` (Young & Tian 2019, "MinAtar", arXiv:1903.03176, the small DQN of their baselines): observation
  ``(H, W, C)`` channels-last as MinAtar and gymnax give it (10x10xC); conv 16 3x3 stride 1 VALID, ReLU; dense
  128, ReLU; linear ``n_actions``.
- ``atari_dqn`` (the DQN of Mnih et al. 2015, which Such et al. evolve on Atari): observation ``(84, 84, 4)``; conv
  32 8x8/4, 64 4x4/2, 64 3x3/1, all SAME padding (TensorFlow's: :func:`same_padding`), ReLU; dense 512, ReLU;
  linear ``n_actions``: 4,052,658 parameters for 18 actions, 4,045,476 for 4.

``hidden`` shapes the ``mlp`` only; the two conv nets have the fixed architectures above.

**Flat layout** (:func:`param_slices`): for each layer in order, its weight then its bias, row-major. Conv
kernels are stored ``[kh, kw, in, out]`` (HWIO; PyTorch permutes to ``[out, in, kh, kw]``), dense weights
``[in, out]``; the conv stack's output enters the first dense layer flattened in ``(H, W, C)`` order (NHWC).

The float64 NumPy reference (:func:`init_numpy`, :func:`decode_numpy`, :func:`forward_numpy`,
:func:`weighted_noise_sum_numpy`) restates all of this independently of any framework; :class:`DecoderCore` is
the framework-neutral part of each framework's ``GenomeDecoder`` (parent cache, decoding plan, hit counts).
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import numpy as np

from implementations.contracts._common import EPS32, require

ROLE = "model"

KINDS: tuple[str, ...] = ("mlp", "minatar_cnn", "atari_dqn")
DEFAULT_TABLE_SIZE = 2**25
"""Default noise table: 2**25 float32 numbers (128 MiB), enough for the 4.05 M-parameter Atari net."""
MAX_TABLE_SIZE = 2**31 - 1
"""Largest table (offsets are int32 on the devices)."""
SEED_LIMIT = 2**63
"""Seeds are ints in [0, SEED_LIMIT): they are stored (and sent) as int64."""
SEED_BYTES = 8
HIDDEN_STD = 1.0
OUTPUT_STD = 0.1
ATARI_OBSERVATION_SHAPE: tuple[int, int, int] = (84, 84, 4)
MINATAR_CONV_CHANNELS = 16
MINATAR_DENSE_UNITS = 128
ATARI_CONVS: tuple[tuple[int, int, int], ...] = ((32, 8, 4), (64, 4, 2), (64, 3, 1))
"""(channels, kernel size, stride) of the DQN's conv layers."""
ATARI_DENSE_UNITS = 512


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer)


# ---------------------------------------------------------------------------------------------------------
# noise table


@dataclass(frozen=True)
class NoiseTableSpec:
    """The shared Gaussian noise table: ``size`` float32 numbers drawn by NumPy's PCG64 seeded with ``seed``."""

    seed: int
    size: int = DEFAULT_TABLE_SIZE

    def __post_init__(self) -> None:
        if not _is_int(self.seed) or self.seed < 0:
            raise ValueError(f"noise table seed={self.seed!r}; valid: an int >= 0")
        if not _is_int(self.size) or not 1 <= self.size <= MAX_TABLE_SIZE:
            raise ValueError(f"noise table size={self.size!r}; valid: an int in [1, {MAX_TABLE_SIZE}]")
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "size", int(self.size))


@functools.lru_cache(maxsize=4)
def noise_table_numpy(spec: NoiseTableSpec) -> np.ndarray:
    """The table of ``spec`` (float32 [size], read-only), generated once per process and cached."""
    table = np.random.default_rng(spec.seed).standard_normal(spec.size, dtype=np.float32)
    table.flags.writeable = False
    return table


def check_table_fits(noise: NoiseTableSpec, n_params: int) -> None:
    """ValueError unless the table holds at least ``n_params`` numbers (one slice per seed)."""
    if noise.size < n_params:
        raise ValueError(
            f"noise table size={noise.size} is smaller than the policy's {n_params} parameters; "
            f"valid: a NoiseTableSpec with size >= {n_params}"
        )


def check_seed(tau: object, name: str = "seed") -> int:
    """``tau`` as an int, ValueError unless it is an int in [0, 2**63)."""
    if not _is_int(tau) or not 0 <= tau < SEED_LIMIT:
        raise ValueError(f"{name}={tau!r}; valid: an int in [0, 2**63)")
    return int(tau)


def noise_offset(tau: int, table_size: int, n_params: int) -> int:
    """Start of ``eps(tau)`` in the table: ``tau mod (table_size - n_params + 1)`` (every slice fits)."""
    tau = check_seed(tau, "tau")
    if not _is_int(n_params) or n_params < 1:
        raise ValueError(f"n_params={n_params!r}; valid: an int >= 1")
    if not _is_int(table_size) or table_size < n_params:
        raise ValueError(f"table_size={table_size!r}; valid: an int >= n_params = {n_params}")
    return tau % (int(table_size) - int(n_params) + 1)


def noise_offsets(taus: Sequence[int], table_size: int, n_params: int) -> np.ndarray:
    """int64 [n]: :func:`noise_offset` of every seed."""
    return np.array([noise_offset(t, table_size, n_params) for t in taus], np.int64).reshape(-1)


# ---------------------------------------------------------------------------------------------------------
# genomes


def check_genome(genome: object) -> tuple[int, ...]:
    """``genome`` as a tuple of ints; ValueError unless it is a non-empty sequence of seeds in [0, 2**63)."""
    if isinstance(genome, str | bytes) or not isinstance(genome, Sequence | np.ndarray):
        raise ValueError(f"genome={genome!r}; valid: a non-empty tuple of seeds (tau_0, tau_1, ...)")
    if len(genome) == 0:
        raise ValueError("genome=(): valid: a non-empty tuple of seeds (tau_0, tau_1, ...); tau_0 seeds theta^0")
    return tuple(check_seed(t, f"genome seed {i}") for i, t in enumerate(genome))


def check_genomes(genomes: object) -> list[tuple[int, ...]]:
    """Every genome of ``genomes`` (a sequence of genomes) as a tuple of ints (see :func:`check_genome`)."""
    if isinstance(genomes, str | bytes) or not isinstance(genomes, Sequence | np.ndarray):
        raise ValueError(f"genomes={genomes!r}; valid: a sequence of genomes (tuples of seeds)")
    return [check_genome(g) for g in genomes]


def genome_bytes(genome: tuple[int, ...]) -> int:
    """Bytes of the compact encoding: 8 per seed (int64)."""
    return SEED_BYTES * len(check_genome(genome))


def check_sigma(sigma: object) -> float:
    """``sigma`` as a float; ValueError unless it is a finite number > 0."""
    if isinstance(sigma, bool) or not isinstance(sigma, float | int | np.floating | np.integer):
        raise ValueError(f"sigma={sigma!r}; valid: a finite float > 0")
    if not (math.isfinite(float(sigma)) and sigma > 0):
        raise ValueError(f"sigma={sigma!r}; valid: a finite float > 0")
    return float(sigma)


# ---------------------------------------------------------------------------------------------------------
# policies and the flat layout


@dataclass(frozen=True)
class PolicySpec:
    """A policy net (hashable: a cache key). ``observation_shape``: ``(d,)`` for ``mlp``, ``(H, W, C)`` for the
    conv nets; ``hidden``: the ``mlp``'s hidden widths (ignored by the conv nets, whose layers are fixed)."""

    kind: str
    observation_shape: tuple[int, ...]
    n_actions: int
    hidden: tuple[int, ...] = (64, 64)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r}; valid: {', '.join(KINDS)}")
        shape = _int_tuple("observation_shape", self.observation_shape)
        if self.kind == "mlp" and len(shape) != 1:
            raise ValueError(f"observation_shape={shape} for kind 'mlp'; valid: (d,), a flat vector")
        if self.kind != "mlp" and len(shape) != 3:
            raise ValueError(f"observation_shape={shape} for kind {self.kind!r}; valid: (H, W, C), channels last")
        if self.kind == "minatar_cnn" and min(shape[:2]) < 3:
            raise ValueError(f"observation_shape={shape} for kind 'minatar_cnn'; valid: H, W >= 3 (3x3 VALID conv)")
        if not _is_int(self.n_actions) or self.n_actions < 1:
            raise ValueError(f"n_actions={self.n_actions!r}; valid: an int >= 1")
        hidden = _int_tuple("hidden", self.hidden, allow_empty=True)
        object.__setattr__(self, "observation_shape", shape)
        object.__setattr__(self, "n_actions", int(self.n_actions))
        object.__setattr__(self, "hidden", hidden)


def _int_tuple(name: str, value: object, allow_empty: bool = False) -> tuple[int, ...]:
    valid = f"valid: a tuple of ints >= 1{' (may be empty)' if allow_empty else ''}"
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise ValueError(f"{name}={value!r}; {valid}")
    if not all(_is_int(v) and v >= 1 for v in value) or (len(value) == 0 and not allow_empty):
        raise ValueError(f"{name}={value!r}; {valid}")
    return tuple(int(v) for v in value)


class Layer(NamedTuple):
    """One layer of a policy: ``op`` "conv" (weight ``[kh, kw, in, out]``) or "dense" (weight ``[in, out]``)."""

    name: str
    op: str
    weight_shape: tuple[int, ...]
    stride: int
    """Conv stride (1 for dense layers)."""
    padding: str
    """"SAME" or "VALID" (conv); "" (dense)."""
    activation: str
    """"relu", "tanh" or "linear"."""
    input_shape: tuple[int, ...]
    """Conv: (H, W, C); dense: (in,)."""
    output_shape: tuple[int, ...]

    @property
    def fan_in(self) -> int:
        """Inputs of one unit: kh * kw * in (conv) or in (dense)."""
        return math.prod(self.weight_shape[:-1])

    @property
    def units(self) -> int:
        """Output channels (conv) or units (dense); the bias length."""
        return self.weight_shape[-1]


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's SAME padding of one spatial axis: (before, after) with the output ``ceil(size / stride)``;
    the odd pixel, if any, goes after (e.g. 21 pixels, 4x4 kernel, stride 2: (1, 2))."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv_padding(layer: Layer) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) pixels of zero padding of a conv layer (all 0 for VALID)."""
    if layer.padding == "VALID":
        return (0, 0), (0, 0)
    kh, kw = layer.weight_shape[:2]
    return same_padding(layer.input_shape[0], kh, layer.stride), same_padding(layer.input_shape[1], kw, layer.stride)


def _conv_layer(name: str, shape: tuple[int, ...], channels: int, kernel: int, stride: int, padding: str) -> Layer:
    height, width, depth = shape
    if padding == "SAME":
        out = (-(-height // stride), -(-width // stride))
    else:
        out = ((height - kernel) // stride + 1, (width - kernel) // stride + 1)
    return Layer(name, "conv", (kernel, kernel, depth, channels), stride, padding, "relu", shape, (*out, channels))


def layer_shapes(spec: PolicySpec) -> tuple[Layer, ...]:
    """The layers of ``spec`` in layout (and evaluation) order."""
    return _layers(spec)


@functools.cache
def _layers(spec: PolicySpec) -> tuple[Layer, ...]:
    convs: list[Layer] = []
    shape = spec.observation_shape
    if spec.kind == "minatar_cnn":
        convs.append(_conv_layer("conv1", shape, MINATAR_CONV_CHANNELS, 3, 1, "VALID"))
        widths, hidden_activation = (MINATAR_DENSE_UNITS,), "relu"
    elif spec.kind == "atari_dqn":
        for index, (channels, kernel, stride) in enumerate(ATARI_CONVS):
            convs.append(_conv_layer(f"conv{index + 1}", shape, channels, kernel, stride, "SAME"))
            shape = convs[-1].output_shape
        widths, hidden_activation = (ATARI_DENSE_UNITS,), "relu"
    else:
        widths, hidden_activation = spec.hidden, "tanh"
    if convs:
        shape = convs[-1].output_shape
    dense: list[Layer] = []
    fan_in = math.prod(shape)
    for index, width in enumerate((*widths, spec.n_actions)):
        last = index == len(widths)
        name, activation = ("output", "linear") if last else (f"dense{index + 1}", hidden_activation)
        dense.append(Layer(name, "dense", (fan_in, width), 1, "", activation, (fan_in,), (width,)))
        fan_in = width
    return (*convs, *dense)


def param_slices(spec: PolicySpec) -> tuple[tuple[str, int, int, tuple[int, ...]], ...]:
    """(name, start, stop, shape) of every parameter array in the flat vector: ``<layer>.weight`` then
    ``<layer>.bias`` for each layer in order."""
    out, offset = [], 0
    for layer in layer_shapes(spec):
        for suffix, shape in (("weight", layer.weight_shape), ("bias", (layer.units,))):
            size = math.prod(shape)
            out.append((f"{layer.name}.{suffix}", offset, offset + size, shape))
            offset += size
    return tuple(out)


def n_params(spec: PolicySpec) -> int:
    """Length P of the flat parameter vector."""
    return param_slices(spec)[-1][2]


def parameter_bytes(spec: PolicySpec) -> int:
    """Bytes of theta as float32: 4 P."""
    return 4 * n_params(spec)


@functools.lru_cache(maxsize=8)
def init_scales(spec: PolicySpec) -> np.ndarray:
    """float32 [P], read-only: ``float32(std_l / sqrt(fan_in_l))`` at every weight of layer l, 0 at biases;
    ``theta^0 = init_scales * eps(tau_0)`` (the implementations' phi)."""
    scales = np.zeros(n_params(spec), np.float32)
    layers = layer_shapes(spec)
    for layer, (_, start, stop, _) in zip(layers, param_slices(spec)[::2], strict=True):
        std = OUTPUT_STD if layer is layers[-1] else HIDDEN_STD
        scales[start:stop] = np.float32(std / math.sqrt(layer.fan_in))
    scales.flags.writeable = False
    return scales


def check_batch_shapes(spec: PolicySpec, params_shape: tuple[int, ...], observations_shape: tuple[int, ...]) -> None:
    """ValueError unless params is [pop, P] and observations [pop, *observation_shape]."""
    size = n_params(spec)
    if len(params_shape) != 2 or params_shape[1] != size:
        raise ValueError(f"params shape {tuple(params_shape)}; valid: (population, {size})")
    expected = (params_shape[0], *spec.observation_shape)
    if tuple(observations_shape) != expected:
        raise ValueError(
            f"observations shape {tuple(observations_shape)}; valid: {expected} "
            f"(population, *observation_shape of the {spec.kind!r} policy)"
        )


CHUNK_ELEMENTS = 2**22
"""Largest temporary block of gathered rows (16 MiB of float32): ``weighted_noise_sum`` and the decoders'
row copies work through ``count`` rows this many numbers at a time."""


def rows_per_chunk(count: int, size: int) -> int:
    """Rows of ``size`` numbers per chunk of at most :data:`CHUNK_ELEMENTS` numbers (at least 1), for ``count``
    rows in all."""
    return max(1, min(count, CHUNK_ELEMENTS // size))


def check_weights(taus: Sequence[int], weights_shape: tuple[int, ...]) -> list[int]:
    """The seeds as ints; ValueError unless there is one weight per seed."""
    if isinstance(taus, str | bytes) or not isinstance(taus, Sequence | np.ndarray):
        raise ValueError(f"taus={taus!r}; valid: a sequence of seeds")
    seeds = [check_seed(t, f"taus[{i}]") for i, t in enumerate(taus)]
    if tuple(weights_shape) != (len(seeds),):
        raise ValueError(f"weights shape {tuple(weights_shape)}; valid: ({len(seeds)},), one weight per seed")
    return seeds


# ---------------------------------------------------------------------------------------------------------
# the framework-neutral part of GenomeDecoder

ArrayT = TypeVar("ArrayT")
Genome = tuple[int, ...]


class Source(NamedTuple):
    """Where :meth:`DecoderCore._assemble` takes rows from: ``array[rows]`` goes to the output rows ``positions``."""

    array: Any
    rows: np.ndarray
    positions: np.ndarray


class DecoderCore(Generic[ArrayT]):
    """Decoding with a parent cache, written once for every framework (Such et al. 2017, Sec. 3.1: theta^n
    needs theta^(n-1) plus one mutation, so a child of a cached parent costs one mutation).

    The cache is one device array ``[cache_size, P]`` (allocated at the first decode that stores a genome) and a
    map from genome tuples to its rows, least recently used first (``cache_size=0``: no cache). :meth:`decode`
    plans the work: it walks each genome's prefixes back to the longest one that is cached (or to none) and
    decodes the missing prefixes level by level, by length: every missing prefix of length 1 in one batched
    :meth:`_initial` call, every missing prefix of length 2 in one batched :meth:`_mutated` call from its parent
    (a cache row or a row of the previous level), and so on; a prefix shared by several genomes is decoded
    once. Only the requested genomes enter the cache. Each row is computed by the same float32 operations
    whatever the path (gathers and copies are exact), so cached and uncached decoding give the same bits.

    A requested genome counts as a hit when it or its parent (``genome[:-1]``) was cached before the call (it
    costs at most one mutation), else as a miss (a length-1 genome is a miss unless cached itself); duplicates
    within one call count once. Subclasses supply the framework primitives :meth:`_allocate`, :meth:`_initial`,
    :meth:`_mutated`, :meth:`_assemble` and :meth:`_store`.
    """

    #: True where the framework's primitives pad a level's batch with rows beyond the level's size (JAX pads
    #: index vectors to a few fixed lengths so its compiled primitives are reused); the output is then always
    #: assembled, never a level's batch itself.
    pads_batches: bool = False

    def __init__(self, policy: PolicySpec, noise: NoiseTableSpec, sigma: float, cache_size: int) -> None:
        if not isinstance(policy, PolicySpec):
            raise ValueError(f"policy={policy!r}; valid: a PolicySpec")
        if not isinstance(noise, NoiseTableSpec):
            raise ValueError(f"noise={noise!r}; valid: a NoiseTableSpec")
        if not _is_int(cache_size) or cache_size < 0:
            raise ValueError(f"cache_size={cache_size!r}; valid: an int >= 0 (0: no cache)")
        self.policy = policy
        self.noise = noise
        self.sigma = check_sigma(sigma)
        self.cache_size = int(cache_size)
        self.n_params = n_params(policy)
        check_table_fits(noise, self.n_params)
        self.hits = 0
        self.misses = 0
        self._buffer: ArrayT | None = None
        self._slots: OrderedDict[tuple[int, ...], int] = OrderedDict()
        self._free = list(range(self.cache_size - 1, -1, -1))

    # --- framework primitives
    def _allocate(self, rows: int) -> ArrayT:
        """float32 zeros [rows, P] on the configured device."""
        raise NotImplementedError

    def _initial(self, offsets: np.ndarray) -> ArrayT:
        """[n, P]: ``init_scales * table[o : o + P]`` for every offset o."""
        raise NotImplementedError

    def _mutated(
        self, previous: ArrayT | None, previous_rows: np.ndarray, cache_rows: np.ndarray, offsets: np.ndarray
    ) -> ArrayT:
        """[n, P]: ``parent_i + float32(float32(sigma) * table[o_i : o_i + P])`` where parent i is
        ``previous[previous_rows[i]]`` if that index is >= 0, else the cache row ``cache_rows[i]``."""
        raise NotImplementedError

    def _assemble(self, sources: list[Source], count: int) -> ArrayT:
        """[count, P] with ``out[s.positions] = s.array[s.rows]`` for every source (a new array)."""
        raise NotImplementedError

    def _store(self, slots: np.ndarray, array: ArrayT, rows: np.ndarray) -> None:
        """``cache[slots] = array[rows]`` (in place; ``array`` is never the cache itself)."""
        raise NotImplementedError

    # --- bookkeeping
    @property
    def hit_rate(self) -> float:
        """hits / (hits + misses); 0.0 before any lookup."""
        total = self.hits + self.misses
        return self.hits / total if total else 0.0

    def __len__(self) -> int:
        """Number of cached genomes."""
        return len(self._slots)

    def __contains__(self, genome: object) -> bool:
        return genome in self._slots

    def clear(self) -> None:
        """Empty the cache (its memory stays allocated) and reset the hit counts."""
        self._slots.clear()
        self._free = list(range(self.cache_size - 1, -1, -1))
        self.hits = self.misses = 0

    def _plan(self, unique: list[Genome]) -> tuple[dict[Genome, tuple[int, int]], dict[int, list[Genome]]]:
        """(where every needed prefix is: (0, cache row) or (length, row of that level's batch), the keys to
        decode per length in batch order)."""
        where: dict[Genome, tuple[int, int]] = {}
        levels: dict[int, list[Genome]] = {}
        for key in unique:
            for length in range(len(key), 0, -1):
                prefix = key[:length]
                if prefix in where:
                    break
                slot = self._slots.get(prefix)
                if slot is not None:
                    self._slots.move_to_end(prefix)
                    where[prefix] = (0, slot)
                    break
                level = levels.setdefault(length, [])
                where[prefix] = (length, len(level))
                level.append(prefix)
        return where, levels

    def decode(self, genomes: Sequence[tuple[int, ...]]) -> ArrayT:
        """theta [len(genomes), P] (float32, the framework's array on the configured device)."""
        keys = check_genomes(genomes)
        if not keys:
            return self._allocate(0)
        unique = list(dict.fromkeys(keys))
        for key in unique:
            if key in self._slots or (len(key) > 1 and key[:-1] in self._slots):
                self.hits += 1
            else:
                self.misses += 1
        where, levels = self._plan(unique)
        batches: dict[int, ArrayT] = {}
        for length in sorted(levels):
            level = levels[length]
            offsets = noise_offsets([k[-1] for k in level], self.noise.size, self.n_params)
            if length == 1:
                batches[1] = self._initial(offsets)
                continue
            parents = [where[k[:-1]] for k in level]
            previous_rows = np.array([row if source else -1 for source, row in parents], np.int64)
            cache_rows = np.array([-1 if source else row for source, row in parents], np.int64)
            batches[length] = self._mutated(batches.get(length - 1), previous_rows, cache_rows, offsets)
        out = self._output(keys, where, batches, {length: len(level) for length, level in levels.items()})
        self._insert(unique, keys, out)
        return out

    def _output(
        self,
        keys: list[Genome],
        where: dict[Genome, tuple[int, int]],
        batches: dict[int, ArrayT],
        sizes: dict[int, int],
    ) -> ArrayT:
        """The requested rows in request order: a level's batch itself when it is exactly that, else assembled
        from the cache and the batches."""
        located = np.array([where[k] for k in keys], np.int64)
        levels = np.unique(located[:, 0])
        only = int(levels[0])
        if not self.pads_batches and len(levels) == 1 and only != 0 and sizes[only] == len(keys):
            if np.array_equal(located[:, 1], np.arange(len(keys))):
                return batches[only]
        sources = []
        for level in levels:
            positions = np.flatnonzero(located[:, 0] == level)
            array = self._buffer if level == 0 else batches[int(level)]
            sources.append(Source(array, located[positions, 1], positions))
        return self._assemble(sources, len(keys))

    def _insert(self, unique: list[Genome], keys: list[Genome], out: ArrayT) -> None:
        """Cache the requested genomes not cached yet (the last ``cache_size`` of them), evicting the least
        recently used."""
        new = [k for k in unique if k not in self._slots][-self.cache_size :] if self.cache_size else []
        if not new:
            return
        if self._buffer is None:
            self._buffer = self._allocate(self.cache_size)
        slots = []
        for key in new:
            slot = self._free.pop() if self._free else self._slots.popitem(last=False)[1]
            self._slots[key] = slot
            slots.append(slot)
        first = {}
        for position, key in enumerate(keys):
            first.setdefault(key, position)
        self._store(np.array(slots, np.int64), out, np.array([first[k] for k in new], np.int64))


# ---------------------------------------------------------------------------------------------------------
# Protocol


class PolicyGenomes(Protocol):
    """What ``implementations/<framework>/policy_genomes.py`` exports. ``forward`` and ``weighted_noise_sum``
    work on the framework's arrays (the checks convert with the module's ``backend``); ``decode`` is NumPy-facing.

    ``GenomeDecoder(policy, noise, sigma, cache_size)``: a :class:`DecoderCore` with ``.decode(genomes)`` ->
    framework array [len(genomes), P] float32, ``.hits``, ``.misses``, ``.hit_rate``, ``len()``, ``in``,
    ``.clear()``; its cache holds ``cache_size * P`` float32 on the device.
    """

    backend: ModuleType
    GenomeDecoder: type

    def decode(
        self, genomes: Sequence[tuple[int, ...]], policy: PolicySpec, noise: NoiseTableSpec, sigma: float
    ) -> np.ndarray:
        """float32 [len(genomes), P]: theta^g of every genome (no cache)."""
        ...

    def forward(self, policy: PolicySpec, params: Any, observations: Any) -> Any:
        """Logits [pop, n_actions] of params [pop, P] (framework array) on observations [pop, *obs_shape]."""
        ...

    def policy_function(self, policy: PolicySpec, params: Any) -> Callable[[Any], Any]:
        """``observations -> logits``, what :meth:`forward` computes, for a fixed batch of params [pop, P]: the
        net a rollout calls at every step (PyTorch cuts the per-layer views once; JAX returns a traceable
        ``Partial`` holding the params, so one compiled rollout serves any params)."""
        ...

    def weighted_noise_sum(self, noise: NoiseTableSpec, taus: Sequence[int], weights: Any, n_params: int) -> Any:
        """``sum_i weights[i] * eps(taus[i])`` [n_params] (framework array): the OpenAI-ES update direction
        (Salimans et al. 2017, Algorithm 2) without materialising every eps at once."""
        ...


PROTOCOL = PolicyGenomes


# ---------------------------------------------------------------------------------------------------------
# float64 NumPy reference


def _noise64(noise: NoiseTableSpec, tau: int, size: int) -> np.ndarray:
    offset = noise_offset(tau, noise.size, size)
    return noise_table_numpy(noise)[offset : offset + size].astype(np.float64)


def init_numpy(policy: PolicySpec, noise: NoiseTableSpec, tau0: int) -> np.ndarray:
    """float64 theta^0 = phi(tau0) [P]: each layer's weights ``eps(tau0)`` times ``std / sqrt(fan_in)``, biases 0."""
    size = n_params(policy)
    check_table_fits(noise, size)
    eps = _noise64(noise, tau0, size)
    theta = np.zeros(size)
    layers = layer_shapes(policy)
    offset = 0
    for index, layer in enumerate(layers):
        count = math.prod(layer.weight_shape)
        std = OUTPUT_STD if index == len(layers) - 1 else HIDDEN_STD
        theta[offset : offset + count] = eps[offset : offset + count] * (std / math.sqrt(layer.fan_in))
        offset += count + layer.units
    return theta


def decode_numpy(genome: tuple[int, ...], policy: PolicySpec, noise: NoiseTableSpec, sigma: float) -> np.ndarray:
    """float64 theta^g [P] of one genome: theta^0 = phi(tau_0), theta^n = theta^(n-1) + sigma eps(tau_n)."""
    genome = check_genome(genome)
    theta = init_numpy(policy, noise, genome[0])
    for tau in genome[1:]:
        theta = theta + check_sigma(sigma) * _noise64(noise, tau, theta.size)
    return theta


def decode_tolerance(genome: tuple[int, ...], policy: PolicySpec, noise: NoiseTableSpec, sigma: float) -> np.ndarray:
    """float64 [P]: allowed |float32 decode - float64 decode| per parameter.

    Every magnitude along the way is at most ``B = |theta^0| + sigma sum_n |eps(tau_n)|``; the float32 path
    rounds g + 2 times at most eps/2 relative each (the scale and its product for theta^0, the product and the
    sum of each mutation; sigma's own rounding to float32 adds eps/2 of each mutation term): ``2 eps (g + 1) B``
    bounds it rigorously. A wrong offset, scale or order of seeds is off by O(|theta|)."""
    genome = check_genome(genome)
    bound = np.abs(init_numpy(policy, noise, genome[0]))
    size = bound.size
    for tau in genome[1:]:
        bound = bound + sigma * np.abs(_noise64(noise, tau, size))
    return 2 * EPS32 * len(genome) * bound + np.finfo(np.float32).tiny


def _unflatten64(policy: PolicySpec, theta: np.ndarray) -> dict[str, np.ndarray]:
    theta = np.asarray(theta, np.float64)
    return {name: theta[a:b].reshape(shape) for name, a, b, shape in param_slices(policy)}


def _apply_layer64(layer: Layer, weight: np.ndarray, bias: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Pre-activation of one layer for one individual (float64): a conv by explicit windows or a product."""
    if layer.op == "dense":
        return x.reshape(-1) @ weight + bias
    (top, bottom), (left, right) = conv_padding(layer)
    padded = np.pad(x, ((top, bottom), (left, right), (0, 0)))
    kh, kw = layer.weight_shape[:2]
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(0, 1))  # [H', W', C, kh, kw]
    windows = windows[:: layer.stride, :: layer.stride]
    return np.einsum("hwcij,ijco->hwo", windows, weight) + bias


def _activation64(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    return z


def _reference_pass(policy: PolicySpec, theta: np.ndarray, observation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 logits [A], allowed float32 error [A]) of one individual (see :func:`forward_tolerance`)."""
    p = _unflatten64(policy, theta)
    x = np.asarray(observation, np.float64)
    error = np.zeros_like(x)
    for layer in layer_shapes(policy):
        w, b = p[f"{layer.name}.weight"], p[f"{layer.name}.bias"]
        rounding = 20 * math.sqrt(layer.fan_in + 1) * EPS32 * _apply_layer64(layer, np.abs(w), np.abs(b), np.abs(x))
        carried = np.sqrt(_apply_layer64(layer, w * w, np.zeros_like(b), error * error))
        x = _activation64(layer.activation, _apply_layer64(layer, w, b, x))
        error = rounding + carried
    return x, error


def forward_numpy(policy: PolicySpec, params: np.ndarray, observations: np.ndarray) -> np.ndarray:
    """float64 logits [pop, n_actions] of params [pop, P] on observations [pop, *observation_shape]."""
    params, observations = np.asarray(params), np.asarray(observations)
    check_batch_shapes(policy, params.shape, observations.shape)
    return np.stack([_reference_pass(policy, t, o)[0] for t, o in zip(params, observations, strict=True)])


def forward_tolerance(policy: PolicySpec, params: np.ndarray, observations: np.ndarray) -> np.ndarray:
    """float64 [pop, n_actions]: allowed |float32 logits - float64 logits|.

    A pre-activation sums F = fan_in + 1 products; float32 rounds it by about ``sqrt(F) eps sum |w| |x|`` (a
    random walk of roundings; 20 times that is allowed, as in :func:`.small_nets.output_tolerance`). An error e
    already in a layer's input reaches its output through ReLU/tanh (slope <= 1) and the weights, independent
    roundings adding in quadrature: ``sqrt(W^2 e^2)`` (the same conv or product with squared weights). A wrong
    layout, transposed kernel or padding moves logits by O(|logit|)."""
    params, observations = np.asarray(params), np.asarray(observations)
    check_batch_shapes(policy, params.shape, observations.shape)
    return np.stack([_reference_pass(policy, t, o)[1] for t, o in zip(params, observations, strict=True)])


def weighted_noise_sum_numpy(noise: NoiseTableSpec, taus: Sequence[int], weights: np.ndarray, size: int) -> np.ndarray:
    """float64 [size]: ``sum_i weights[i] eps(taus[i])``."""
    seeds = check_weights(taus, np.shape(weights))
    check_table_fits(noise, size)
    out = np.zeros(size)
    for tau, w in zip(seeds, np.asarray(weights, np.float64), strict=True):
        out += w * _noise64(noise, tau, size)
    return out


# ---------------------------------------------------------------------------------------------------------
# conformance fixtures


class DecodeCase(NamedTuple):
    """A policy, a small noise table, sigma and genomes (lengths 1 to 5, some sharing parents)."""

    label: str
    policy: PolicySpec
    noise: NoiseTableSpec
    sigma: float
    genomes: tuple[tuple[int, ...], ...]


def _family(rng: np.random.Generator, roots: int, depth: int, children: int) -> tuple[tuple[int, ...], ...]:
    """Genomes of a small pedigree: ``roots`` random seeds, each line extended ``depth`` times, ``children``
    siblings at the last generation; seeds span [0, 2**63)."""
    out: list[tuple[int, ...]] = []
    for _ in range(roots):
        line = (int(rng.integers(0, 2**63, dtype=np.uint64)),)
        for _ in range(depth - 1):
            out.append(line)
            line = (*line, int(rng.integers(0, 2**63, dtype=np.uint64)))
        out += [(*line[:-1], int(rng.integers(0, 2**40))) for _ in range(children)]
    return tuple(out)


@functools.cache
def decode_cases() -> tuple[DecodeCase, ...]:
    """An MLP (275 parameters, a 2**16 table) and the MinAtar net (10x10x4, 6 actions: 132,566 parameters, a
    2**18 table), with pedigrees of depth 5 and 3."""
    rng = np.random.default_rng(1712_06567)
    mlp = PolicySpec("mlp", (6,), 3, (16, 8))
    minatar = PolicySpec("minatar_cnn", (10, 10, 4), 6)
    return (
        DecodeCase("mlp-275", mlp, NoiseTableSpec(11, 2**16), 0.02, _family(rng, 3, 5, 3)),
        DecodeCase("minatar-10x10x4", minatar, NoiseTableSpec(12, 2**18), 0.002, _family(rng, 2, 3, 2)),
    )


def _to_numpy(impl: ModuleType, array: Any) -> np.ndarray:
    return impl.backend.to_numpy(array)


def _decoded(impl: ModuleType, decoder: Any, genomes: Sequence[tuple[int, ...]]) -> np.ndarray:
    out = _to_numpy(impl, decoder.decode(genomes))
    require(out.dtype == np.float32 and out.shape == (len(genomes), decoder.n_params), f"decode {out.dtype}")
    return out


def check_decode_matches_reference(impl: ModuleType) -> None:
    """``decode`` (float32) equals the float64 :func:`decode_numpy` within :func:`decode_tolerance`."""
    for case in decode_cases():
        theta = impl.decode(case.genomes, case.policy, case.noise, case.sigma)
        require(theta.dtype == np.float32, f"{case.label}: decode dtype {theta.dtype}")
        require(theta.shape == (len(case.genomes), n_params(case.policy)), f"{case.label}: shape {theta.shape}")
        for row, genome in zip(theta, case.genomes, strict=True):
            expected = decode_numpy(genome, case.policy, case.noise, case.sigma)
            tol = decode_tolerance(genome, case.policy, case.noise, case.sigma)
            bad = np.abs(row - expected) > tol
            require(not bad.any(), f"{case.label} {genome}: {bad.sum()} parameters outside the tolerance")


def check_decode_is_bit_exact(impl: ModuleType) -> None:
    """Within one framework decoding is bit-exact (claim G1): twice in a row; a child of a cached parent (one
    mutation), of a cached grandparent (two) and of nothing cached; one batch whose parents come from the cache
    and from the call's previous level, interleaved with a cached genome; an uncached decoder
    (``cache_size=0``); the genomes in reverse order. The hit counts follow :class:`DecoderCore`'s definition."""
    for case in decode_cases():
        parents = sorted({g[:-1] for g in case.genomes if len(g) > 1}, key=len)
        children = [g for g in case.genomes if len(g) > 1]
        cached = impl.GenomeDecoder(case.policy, case.noise, case.sigma, 4 * len(case.genomes))
        first_parents = _decoded(impl, cached, parents)
        require((cached.hits, cached.misses) == (0, len(parents)), f"{case.label}: counts {cached.hits}")
        with_parents = _decoded(impl, cached, children)
        require(cached.hits == len(children), f"{case.label}: {cached.hits} hits for {len(children)} children")
        grand = [(*g, 7, 2**62 + 5) for g in children[:2]]
        deep = _decoded(impl, cached, grand)
        require(cached.misses == len(parents) + len(grand), f"{case.label}: grandchildren misses {cached.misses}")
        c0, c1 = children[-1], children[-2]  # siblings, both cached now
        mixed = [(*c0, 3), c0, (*c0[:-1], 99, 4), (*c1, 5)]  # one level's parents: cache, previous level, cache
        interleaved = _decoded(impl, cached, mixed)
        uncached = impl.GenomeDecoder(case.policy, case.noise, case.sigma, 0)
        require(np.array_equal(interleaved, _decoded(impl, uncached, mixed)), f"{case.label}: mixed parents differ")
        everything = [*parents, *children, *grand]
        plain = _decoded(impl, uncached, everything)
        require(len(uncached) == 0, f"{case.label}: a cache_size=0 decoder cached {len(uncached)} genomes")
        require(
            np.array_equal(plain, np.concatenate([first_parents, with_parents, deep])),
            f"{case.label}: cached and uncached decoding differ",
        )
        again = _decoded(impl, uncached, everything)
        require(np.array_equal(plain, again), f"{case.label}: decoding twice differs")
        reverse = _decoded(impl, impl.GenomeDecoder(case.policy, case.noise, case.sigma, 8), everything[::-1])
        require(np.array_equal(reverse[::-1], plain), f"{case.label}: the order of genomes changes the result")


def check_initial_scale(impl: ModuleType) -> None:
    """theta^0 of a 512-256-4 MLP: the hidden layer's 131,072 weights have std 1/sqrt(512) (sampling error of
    the std 0.2 %, 2 % allowed), the output layer's 1,024 weights std 0.1/sqrt(256) (2.2 %, 10 % allowed), the
    biases are exactly 0, and the hidden weights have mean 0 (10 standard errors allowed)."""
    policy = PolicySpec("mlp", (512,), 4, (256,))
    theta = impl.decode([(2017,), (2018,)], policy, NoiseTableSpec(3, 2**18), 0.01)
    slices = {name: (a, b) for name, a, b, _ in param_slices(policy)}
    for row in theta.astype(np.float64):
        for name, std, rtol in (("dense1.weight", 1 / math.sqrt(512), 0.02), ("output.weight", 0.1 / 16, 0.1)):
            a, b = slices[name]
            require(abs(row[a:b].std() / std - 1) < rtol, f"{name}: std {row[a:b].std():.5f}, expected {std:.5f}")
        a, b = slices["dense1.weight"]
        require(abs(row[a:b].mean()) < 10 * row[a:b].std() / math.sqrt(b - a), "dense1 weights: mean not 0")
        for name in ("dense1.bias", "output.bias"):
            require(not np.any(row[slice(*slices[name])]), f"{name}: theta^0 biases are not 0")


def forward_cases() -> list[tuple[str, PolicySpec, np.ndarray, np.ndarray]]:
    """(label, policy, params [pop, P], observations): every kind; weights N(0, 1/fan_in), biases N(0, 0.1^2)
    so that each layer's activations stay O(1), observations uniform in [0, 1) (MinAtar's 0/1 grid)."""
    rng = np.random.default_rng(2015)
    cases = [
        ("mlp-6-16-8-3", PolicySpec("mlp", (6,), 3, (16, 8)), 5),
        ("minatar-10x10x4-6", PolicySpec("minatar_cnn", (10, 10, 4), 6), 3),
        ("atari-84x84x4-18", PolicySpec("atari_dqn", ATARI_OBSERVATION_SHAPE, 18), 2),
    ]
    out = []
    for label, policy, pop in cases:
        scales = np.full(n_params(policy), 0.1, np.float32)
        for layer, (_, start, stop, _) in zip(layer_shapes(policy), param_slices(policy)[::2], strict=True):
            scales[start:stop] = 1 / math.sqrt(layer.fan_in)
        params = rng.standard_normal((pop, n_params(policy)), np.float32) * scales
        if policy.kind == "minatar_cnn":
            observations = (rng.random((pop, *policy.observation_shape)) < 0.3).astype(np.float32)
        else:
            observations = rng.random((pop, *policy.observation_shape), np.float32)
        out.append((label, policy, params, observations))
    return out


def check_forward_matches_reference(impl: ModuleType) -> None:
    """``forward`` of every kind (the Atari net on 84x84x4 frames: SAME padding, asymmetric at the second conv)
    equals :func:`forward_numpy` within :func:`forward_tolerance`."""
    backend = impl.backend
    for label, policy, params, observations in forward_cases():
        on_device = backend.from_numpy(params), backend.from_numpy(observations)
        logits = _to_numpy(impl, impl.forward(policy, *on_device))
        bound = _to_numpy(impl, impl.policy_function(policy, on_device[0])(on_device[1]))
        require(np.array_equal(bound, logits), f"{label}: policy_function differs from forward")
        require(logits.dtype == np.float32, f"{label}: logits dtype {logits.dtype}")
        require(logits.shape == (len(params), policy.n_actions), f"{label}: logits shape {logits.shape}")
        expected = forward_numpy(policy, params, observations)
        tol = forward_tolerance(policy, params, observations)
        worst = float(np.max(np.abs(logits - expected) / tol))
        require(worst <= 1.0, f"{label}: logits off by {worst:.2f} tolerances (max |logit| {np.abs(expected).max()})")


def _noise_sum_cases() -> list[tuple[str, NoiseTableSpec, list[int], np.ndarray, int]]:
    rng = np.random.default_rng(1703_03864)
    return [
        ("37 seeds, P=275", NoiseTableSpec(5, 2**16), _seeds(rng, 37), rng.standard_normal(37), 275),
        ("100 seeds, P=50,000 (several chunks)", NoiseTableSpec(6, 2**16), _seeds(rng, 100), rng.random(100), 50_000),
    ]


def _seeds(rng: np.random.Generator, count: int) -> list[int]:
    return [int(s) for s in rng.integers(0, 2**63, count, dtype=np.uint64)]


def check_weighted_noise_sum(impl: ModuleType) -> None:
    """``weighted_noise_sum`` equals the float64 sum within ``20 sqrt(n) eps sum_i |w_i| |eps_i|`` per
    parameter (float32 products and n additions, random-walk rounding)."""
    for label, noise, taus, weights, size in _noise_sum_cases():
        out = _to_numpy(impl, impl.weighted_noise_sum(noise, taus, weights.astype(np.float32), size))
        require(out.dtype == np.float32 and out.shape == (size,), f"{label}: {out.dtype} {out.shape}")
        expected = weighted_noise_sum_numpy(noise, taus, weights.astype(np.float32), size)
        magnitude = np.zeros(size)
        for tau, w in zip(taus, weights.astype(np.float32), strict=True):
            magnitude += abs(float(w)) * np.abs(_noise64(noise, tau, size))
        tol = 20 * math.sqrt(len(taus)) * EPS32 * magnitude + np.finfo(np.float32).tiny
        worst = float(np.max(np.abs(out - expected) / tol))
        require(worst <= 1.0, f"{label}: off by {worst:.2f} tolerances")


def _expect_value_error(label: str, call: Any) -> None:
    try:
        call()
    except ValueError as err:
        require("valid" in str(err), f"{label}: the error names nothing valid: {err}")
    else:
        raise AssertionError(f"{label}: accepted")


def check_rejects_bad_input(impl: ModuleType) -> None:
    """Empty genome, negative seed, a table smaller than P, a bad sigma or cache size, an unknown kind,
    observations or params of the wrong shape, one weight too few: ValueErrors naming what is valid."""
    case = decode_cases()[0]
    policy, noise, backend = case.policy, case.noise, impl.backend
    decoder = impl.GenomeDecoder(policy, noise, 0.1, 4)
    size = n_params(policy)
    params = backend.from_numpy(np.zeros((2, size), np.float32))
    for label, call in (
        ("empty genome", lambda: decoder.decode([(1, 2), ()])),
        ("negative seed", lambda: decoder.decode([(1, -2)])),
        ("float seed", lambda: impl.decode([(1.5,)], policy, noise, 0.1)),
        ("table smaller than P", lambda: impl.GenomeDecoder(policy, NoiseTableSpec(1, size - 1), 0.1, 4)),
        ("sigma 0", lambda: impl.GenomeDecoder(policy, noise, 0.0, 4)),
        ("cache_size -1", lambda: impl.GenomeDecoder(policy, noise, 0.1, -1)),
        ("unknown kind", lambda: impl.decode([(1,)], PolicySpec("transformer", (6,), 3), noise, 0.1)),
        ("observation shape", lambda: impl.forward(policy, params, backend.from_numpy(np.zeros((2, 7), np.float32)))),
        ("population mismatch", lambda: impl.forward(policy, params, backend.from_numpy(np.zeros((3, 6), "f4")))),
        ("params shape", lambda: impl.forward(policy, params[:, 1:], backend.from_numpy(np.zeros((2, 6), "f4")))),
        ("weights shape", lambda: impl.weighted_noise_sum(noise, [1, 2, 3], np.ones(2, np.float32), size)),
        ("noise sum table", lambda: impl.weighted_noise_sum(noise, [1], np.ones(1, np.float32), noise.size + 1)),
    ):
        _expect_value_error(label, call)


def check_frameworks_decode_agree(impls: dict[str, ModuleType]) -> None:
    """Claim G1 across frameworks: every framework decodes the same genomes (the two decode cases and a
    generation-4 lineage of the 4.05 M-parameter Atari net on a 2**22 table) to within 1e-6 of the largest
    |theta| (both index one table with the same float32 operations; only a fused multiply-add could differ,
    by one rounding)."""
    atari = PolicySpec("atari_dqn", ATARI_OBSERVATION_SHAPE, 18)
    line = (2**62 + 1, 99, 12345, 2**40 + 7)
    cases = [(c.label, c.policy, c.noise, c.sigma, c.genomes) for c in decode_cases()]
    cases.append(("atari-4,052,658", atari, NoiseTableSpec(13, 2**22), 0.002, (line, line[:3], (*line[:3], 8))))
    for label, policy, noise, sigma, genomes in cases:
        thetas = {name: impl.decode(genomes, policy, noise, sigma) for name, impl in impls.items()}
        first, *others = impls
        scale = float(np.max(np.abs(thetas[first])))
        for other in others:
            diff = float(np.max(np.abs(thetas[other] - thetas[first])))
            require(diff <= 1e-6 * scale, f"{label}: {other} vs {first} differ by {diff:.3g} (max |theta| {scale:.3g})")


SINGLE_CHECKS = (
    check_decode_matches_reference,
    check_decode_is_bit_exact,
    check_initial_scale,
    check_forward_matches_reference,
    check_weighted_noise_sum,
    check_rejects_bad_input,
)
PARITY_CHECKS = (check_frameworks_decode_agree,)
