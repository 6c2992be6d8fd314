"""Seed-list genomes, the shared noise table and the policy nets (Such et al. 2017, arXiv:1712.06567, Sec. 3.1;
contract :mod:`implementations.contracts.policy_genomes`).

The contract's conformance checks (decode and forward against the float64 reference, bit-exact decoding, the
init scale, bad input, PyTorch vs JAX) run in ``tests/implementations/test_conformance.py``; here: the layout
numbers (claim G3), the float64 reference itself against independent definitions, the decoder's cache
bookkeeping, and that the checks fail on a broken implementation.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from implementations.contracts import policy_genomes as pg
from implementations.contracts.policy_genomes import NoiseTableSpec, PolicySpec
from implementations.registry import FRAMEWORKS, load_backend, load_method

ATARI = pg.ATARI_OBSERVATION_SHAPE
SMALL_NOISE = NoiseTableSpec(seed=21, size=2**16)
MLP = PolicySpec("mlp", (6,), 3, (16, 8))


@pytest.fixture(scope="module", params=FRAMEWORKS)
def impl(request):
    load_backend(request.param, "cpu", 2)
    return load_method("policy_genomes", request.param)


# ---------------------------------------------------------------------------------------------------------
# layouts (claim G3)


@pytest.mark.parametrize("actions,expected", [(18, 4_052_658), (4, 4_045_476)])
def test_atari_dqn_parameter_count(actions, expected):
    """Claim G3: the SAME-padding DQN has exactly these many parameters (the paper's 'over four million')."""
    spec = PolicySpec("atari_dqn", ATARI, actions)
    assert pg.n_params(spec) == expected
    assert pg.parameter_bytes(spec) == 4 * expected
    by_hand = (8 * 8 * 4 * 32 + 32) + (4 * 4 * 32 * 64 + 64) + (3 * 3 * 64 * 64 + 64) + (11 * 11 * 64 * 512 + 512)
    assert by_hand + 512 * actions + actions == expected


def test_atari_dqn_layers_and_padding():
    layers = pg.layer_shapes(PolicySpec("atari_dqn", ATARI, 18))
    assert [layer.output_shape for layer in layers] == [(21, 21, 32), (11, 11, 64), (11, 11, 64), (512,), (18,)]
    assert [pg.conv_padding(layer) for layer in layers[:3]] == [((2, 2), (2, 2)), ((1, 2), (1, 2)), ((1, 1), (1, 1))]
    assert [layer.activation for layer in layers] == ["relu"] * 4 + ["linear"]
    assert layers[3].weight_shape == (7744, 512)


def test_minatar_and_mlp_layouts():
    minatar = PolicySpec("minatar_cnn", (10, 10, 4), 6)
    assert pg.n_params(minatar) == (3 * 3 * 4 * 16 + 16) + (8 * 8 * 16 * 128 + 128) + (128 * 6 + 6) == 132_566
    assert [layer.activation for layer in pg.layer_shapes(minatar)] == ["relu", "relu", "linear"]
    assert pg.n_params(MLP) == (6 * 16 + 16) + (16 * 8 + 8) + (8 * 3 + 3) == 275
    assert [layer.activation for layer in pg.layer_shapes(MLP)] == ["tanh", "tanh", "linear"]
    names = [name for name, *_ in pg.param_slices(MLP)]
    assert names == [f"{n}.{p}" for n in ("dense1", "dense2", "output") for p in ("weight", "bias")]
    linear = PolicySpec("mlp", (4,), 2, ())
    assert pg.n_params(linear) == 10


@pytest.mark.parametrize("size", [1, 5, 11, 21, 84])
@pytest.mark.parametrize("kernel,stride", [(8, 4), (4, 2), (3, 1), (1, 3), (5, 2)])
def test_same_padding_is_tensorflows(size, kernel, stride):
    """TensorFlow's documented rule: pad ``max(k - s, 0)`` when s divides n, else ``max(k - n % s, 0)``, the
    smaller half before; the padded conv then yields ``ceil(n / s)`` outputs."""
    total = max(kernel - stride, 0) if size % stride == 0 else max(kernel - size % stride, 0)
    before, after = pg.same_padding(size, kernel, stride)
    assert (before, after) == (total // 2, total - total // 2)
    assert (size + before + after - kernel) // stride + 1 == math.ceil(size / stride)


# ---------------------------------------------------------------------------------------------------------
# noise table, offsets, genomes


def test_noise_table_is_numpy_pcg64_and_cached():
    table = pg.noise_table_numpy(SMALL_NOISE)
    assert table is pg.noise_table_numpy(NoiseTableSpec(21, 2**16))
    assert table.dtype == np.float32 and table.shape == (2**16,) and not table.flags.writeable
    np.testing.assert_array_equal(table, np.random.default_rng(21).standard_normal(2**16, dtype=np.float32))
    assert abs(float(table.std()) - 1) < 0.02


def test_default_table_fits_the_atari_net():
    assert pg.DEFAULT_TABLE_SIZE == 2**25 >= pg.n_params(PolicySpec("atari_dqn", ATARI, 18))
    assert NoiseTableSpec(0).size == 2**25


def test_noise_offset():
    assert pg.noise_offset(10, 100, 91) == 0  # 10 possible starts: 0..9
    assert pg.noise_offset(13, 100, 91) == 3
    assert pg.noise_offset(2**63 - 1, 2**25, 275) == (2**63 - 1) % (2**25 - 274)
    offsets = pg.noise_offsets(range(0, 10**6, 997), 1000, 300)
    assert offsets.min() >= 0 and offsets.max() + 300 <= 1000
    for bad in (lambda: pg.noise_offset(-1, 100, 10), lambda: pg.noise_offset(1, 9, 10)):
        with pytest.raises(ValueError, match="valid"):
            bad()


def test_genome_bytes_and_compression():
    """8 bytes per seed against 4 P bytes of float32 theta (claim G2's ratio)."""
    assert pg.genome_bytes((1, 2, 3)) == 24
    atari = pg.parameter_bytes(PolicySpec("atari_dqn", ATARI, 18))
    assert atari / pg.genome_bytes(tuple(range(100))) == pytest.approx(20_263.29, abs=0.01)


@pytest.mark.parametrize(
    "call",
    [
        lambda: PolicySpec("transformer", (6,), 3),
        lambda: PolicySpec("mlp", (10, 10, 4), 3),
        lambda: PolicySpec("minatar_cnn", (100,), 3),
        lambda: PolicySpec("minatar_cnn", (2, 10, 4), 3),
        lambda: PolicySpec("mlp", (6,), 0),
        lambda: PolicySpec("mlp", (6,), 3, (0,)),
        lambda: NoiseTableSpec(-1),
        lambda: NoiseTableSpec(1, 0),
        lambda: NoiseTableSpec(1, 2**31),
        lambda: pg.check_genome(()),
        lambda: pg.check_genome((3, -1)),
        lambda: pg.check_genome((2**63,)),
        lambda: pg.check_genome((1.0,)),
        lambda: pg.check_genome("12"),
        lambda: pg.check_sigma(0.0),
        lambda: pg.check_sigma(float("nan")),
        lambda: pg.check_sigma(True),
        lambda: pg.check_batch_shapes(MLP, (2, 275), (2, 5)),
        lambda: pg.check_weights([1, 2], (3,)),
    ],
)
def test_bad_specs_name_what_is_valid(call):
    with pytest.raises(ValueError, match="valid"):
        call()


# ---------------------------------------------------------------------------------------------------------
# the float64 reference against independent definitions


def test_reference_init_scale_and_recurrence():
    """phi: weights std/sqrt(fan_in) times the table slice, biases 0; each seed adds sigma eps(tau)."""
    policy = PolicySpec("mlp", (400,), 5, (100,))
    noise = NoiseTableSpec(4, 2**17)
    size = pg.n_params(policy)
    table = pg.noise_table_numpy(noise).astype(np.float64)
    eps = lambda tau: table[pg.noise_offset(tau, noise.size, size) :][:size]  # noqa: E731
    theta0 = pg.init_numpy(policy, noise, 77)
    np.testing.assert_allclose(theta0[:40_000], eps(77)[:40_000] / 20, rtol=1e-12)
    np.testing.assert_array_equal(theta0[40_000:40_100], 0)
    np.testing.assert_allclose(theta0[40_100:40_600], eps(77)[40_100:40_600] * 0.01, rtol=1e-12)
    assert abs(theta0[:40_000].std() / 0.05 - 1) < 0.02
    child = pg.decode_numpy((77, 5, 2**62), policy, noise, 0.25)
    np.testing.assert_allclose(child, theta0 + 0.25 * eps(5) + 0.25 * eps(2**62), rtol=1e-12, atol=1e-15)


def test_reference_conv_matches_a_naive_loop():
    """The reference's windowed SAME conv (7x7 input, 4x4 kernel, stride 2: pads (1, 2), the odd pixel after)
    equals a literal sum over padded pixels."""
    rng = np.random.default_rng(0)
    layer = pg.Layer("c", "conv", (4, 4, 3, 2), 2, "SAME", "relu", (7, 7, 3), (4, 4, 2))
    x, w, b = rng.standard_normal((7, 7, 3)), rng.standard_normal((4, 4, 3, 2)), rng.standard_normal(2)
    padded = np.zeros((10, 10, 3))
    padded[1:8, 1:8] = x
    naive = np.zeros((4, 4, 2))
    for i in range(4):
        for j in range(4):
            for o in range(2):
                naive[i, j, o] = b[o] + np.sum(padded[2 * i : 2 * i + 4, 2 * j : 2 * j + 4] * w[..., o])
    np.testing.assert_allclose(pg._apply_layer64(layer, w, b, x), naive, rtol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# both frameworks


def test_frameworks_decode_to_the_same_bits_as_numpy_float32():
    """Stronger than claim G1's 1e-6: on the CPU both frameworks round exactly like NumPy's float32
    ``scales * eps`` then ``theta + (sigma * eps)`` (JAX's multiply-add is kept unfused)."""
    case = pg.decode_cases()[0]
    size = pg.n_params(case.policy)
    table = pg.noise_table_numpy(case.noise)
    sigma = np.float32(case.sigma)

    def float32_decode(genome):
        start = pg.noise_offset(genome[0], case.noise.size, size)
        theta = pg.init_scales(case.policy) * table[start : start + size]
        for tau in genome[1:]:
            start = pg.noise_offset(tau, case.noise.size, size)
            theta = theta + sigma * table[start : start + size]
        return theta

    expected = np.stack([float32_decode(g) for g in case.genomes])
    for framework in FRAMEWORKS:
        load_backend(framework, "cpu", 2)
        decoded = load_method("policy_genomes", framework).decode(case.genomes, case.policy, case.noise, case.sigma)
        np.testing.assert_array_equal(decoded, expected, err_msg=framework)


def test_decoder_counts_hits_and_evicts_least_recently_used(impl):
    decoder = impl.GenomeDecoder(MLP, SMALL_NOISE, 0.05, 2)
    assert decoder.hit_rate == 0.0
    first = impl.backend.to_numpy(decoder.decode([(1,), (2,), (3,), (2,)]))
    assert first.shape == (4, 275) and np.array_equal(first[1], first[3])
    assert (decoder.hits, decoder.misses, len(decoder)) == (0, 3, 2)
    assert (1,) not in decoder and (2,) in decoder and (3,) in decoder
    decoder.decode([(3, 9)])  # parent cached: a hit; (2,) is now the least recently used
    assert (decoder.hits, decoder.misses) == (1, 3) and (2,) not in decoder
    decoder.decode([(1, 9), (3,)])  # (1,) was evicted: a miss; (3,) is cached: a hit
    assert (decoder.hits, decoder.misses) == (2, 4)
    assert decoder.hit_rate == pytest.approx(2 / 6)
    assert impl.backend.to_numpy(decoder.decode([])).shape == (0, 275)
    decoder.clear()
    assert (decoder.hits, decoder.misses, len(decoder)) == (0, 0, 0)


def test_decoded_rows_do_not_alias_the_cache(impl):
    """Writing into a decoded batch (PyTorch tensors are mutable) leaves the cached parents intact."""
    decoder = impl.GenomeDecoder(MLP, SMALL_NOISE, 0.05, 8)
    batch = decoder.decode([(5,), (6,)])
    if impl.backend.NAME == "pytorch":
        batch.zero_()
    child = impl.backend.to_numpy(decoder.decode([(5, 1), (6,)]))
    assert decoder.hits == 2
    np.testing.assert_array_equal(child, impl.decode([(5, 1), (6,)], MLP, SMALL_NOISE, 0.05))


def test_forward_casts_boolean_observations(impl):
    """MinAtar observations are bool grids: forward casts them to float32."""
    policy = PolicySpec("minatar_cnn", (10, 10, 3), 4)
    params = impl.decode([(1, 2), (3,)], policy, NoiseTableSpec(2, 2**18), 0.1)
    grid = np.random.default_rng(3).random((2, 10, 10, 3)) < 0.2
    b = impl.backend
    as_bool = b.to_numpy(impl.forward(policy, b.from_numpy(params), b.from_numpy(grid)))
    as_float = b.to_numpy(impl.forward(policy, b.from_numpy(params), b.from_numpy(grid.astype(np.float32))))
    np.testing.assert_array_equal(as_bool, as_float)
    np.testing.assert_allclose(as_float, pg.forward_numpy(policy, params, grid.astype(np.float32)), atol=1e-5)


def test_weighted_noise_sum_of_no_seeds_is_zero(impl):
    out = impl.backend.to_numpy(impl.weighted_noise_sum(SMALL_NOISE, [], np.zeros(0, np.float32), 275))
    np.testing.assert_array_equal(out, np.zeros(275, np.float32))


# ---------------------------------------------------------------------------------------------------------
# the checks can fail


def _fake(impl_forward):
    backend = SimpleNamespace(from_numpy=np.asarray, to_numpy=np.asarray)

    def policy_function(policy, params):
        return lambda observations: impl_forward(policy, params, observations)

    return SimpleNamespace(backend=backend, forward=impl_forward, policy_function=policy_function)


def test_forward_check_catches_same_padding_on_the_wrong_side(monkeypatch):
    """An implementation putting SAME's odd pixel before instead of after (a classic PyTorch port bug) fails."""
    correct = pg.conv_padding

    def wrong_side(policy, params, observations):
        with monkeypatch.context() as patch:
            patch.setattr(pg, "conv_padding", lambda layer: tuple(pair[::-1] for pair in correct(layer)))
            return pg.forward_numpy(policy, params, observations).astype(np.float32)

    with pytest.raises(AssertionError, match="atari"):
        pg.check_forward_matches_reference(_fake(wrong_side))
    right = _fake(lambda policy, params, obs: pg.forward_numpy(policy, params, obs).astype(np.float32))
    pg.check_forward_matches_reference(right)
    unbound = SimpleNamespace(**vars(right))  # policy_function one ulp above forward: caught
    unbound.policy_function = lambda policy, params: (
        lambda obs: np.nextafter(right.forward(policy, params, obs), np.float32(np.inf), dtype=np.float32)
    )
    with pytest.raises(AssertionError, match="policy_function differs from forward"):
        pg.check_forward_matches_reference(unbound)


def test_parity_check_catches_a_relative_drift_above_1e_6():
    """A framework whose decode is off by 4e-6 relative fails claim G1's check; the exact one passes."""

    def exact(genomes, policy, noise, sigma):
        return np.stack([pg.decode_numpy(g, policy, noise, sigma) for g in genomes]).astype(np.float32)

    def drifting(genomes, policy, noise, sigma):
        return exact(genomes, policy, noise, sigma) * np.float32(1 + 4e-6)

    with pytest.raises(AssertionError, match="differ"):
        pg.check_frameworks_decode_agree({"a": SimpleNamespace(decode=exact), "b": SimpleNamespace(decode=drifting)})
