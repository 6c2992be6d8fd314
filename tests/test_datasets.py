"""Built-in datasets: determinism, label rules, loader errors, pinning against datasets.dvc."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from benchmarks.datasets import (
    DATASET_NAMES,
    DatasetMismatchError,
    DatasetNotBuiltError,
    build_datasets,
    load_dataset,
    verify_datasets,
)
from benchmarks.datasets.boolean import temporal_xor_predictable_mask
from benchmarks.datasets.cli import app
from benchmarks.datasets.idx import MNIST_FILES
from benchmarks.datasets.manifest import dvc_dir_md5, file_manifest, read_dvc_file, write_manifest
from benchmarks.datasets.monks import ATTRIBUTE_VALUES, TRAIN_SIZES
from benchmarks.paths import DATASETS_DVC


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("built") / "datasets"
    build_datasets(root)
    return root


def test_every_registered_dataset_is_built(built):
    assert sorted(p.name for p in built.iterdir()) == sorted(DATASET_NAMES)


def test_build_is_deterministic_and_idempotent(built, tmp_path):
    other = tmp_path / "datasets"
    build_datasets(other)
    assert file_manifest(other) == file_manifest(built)
    mtimes = {p: p.stat().st_mtime_ns for p in other.rglob("*") if p.is_file()}
    build_datasets(other)  # unchanged bytes are not rewritten
    assert {p: p.stat().st_mtime_ns for p in other.rglob("*") if p.is_file()} == mtimes


def test_no_zip_files_and_sorted_json(built):
    for path in built.rglob("*"):
        if path.is_file():  # arrays as .npy, metadata as .json, real MNIST in its standard (extensionless) IDX files
            assert path.suffix in {".npy", ".json"} or (path.parent.name == "mnist" and path.name in MNIST_FILES), path
    meta_text = (built / "monks3" / "meta.json").read_text()
    assert meta_text == json.dumps(json.loads(meta_text), sort_keys=True, indent=2) + "\n"


def test_fresh_build_matches_pinned_datasets_dvc(built):
    """Fresh-clone guarantee: a rebuild from packaged sources reproduces the pinned bytes and DVC hash."""
    verify_datasets(built, DATASETS_DVC)
    recorded_md5, manifest = read_dvc_file(DATASETS_DVC)
    assert dvc_dir_md5(built) == recorded_md5
    assert set(manifest) == set(file_manifest(built))


def test_shapes_and_dtypes(built):
    expected = {
        "digits": ((1437, 64), (360, 64)),
        "mnist1d": ((4000, 40), (1000, 40)),
        "xor": ((4, 2), (4, 2)),
        "parity8": ((256, 8), (256, 8)),
        "encoder_32_5_32": ((32, 32), (32, 32)),
        "symmetry6": ((64, 6), (64, 6)),
        "temporal_xor": ((9000, 1), (3000, 1)),
        "monks2": ((169, 17), (432, 17)),
    }
    for name, (train_shape, test_shape) in expected.items():
        ds = load_dataset(name, root=built)
        assert ds.name == name
        assert ds.x_train.shape == train_shape and ds.x_test.shape == test_shape, name
        assert ds.x_train.dtype == np.float32 and ds.x_test.dtype == np.float32, name
        assert len(ds.y_train) == train_shape[0] and len(ds.y_test) == test_shape[0]
    for name in ("digits", "mnist1d"):
        ds = load_dataset(name, root=built)
        assert ds.y_train.dtype == np.int64 and ds.y_train.ndim == 1
        assert set(np.unique(ds.y_train)) == set(range(10)) == set(np.unique(ds.y_test))


def test_digits_split_and_scaling(built):
    ds = load_dataset("digits", root=built)
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    assert np.array_equal(ds.x_train * 16, np.round(ds.x_train * 16))
    counts = np.bincount(ds.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # stratified: 360 / 10 per class
    assert ds.meta["image_shape"] == [8, 8]


def test_mnist1d_build_leaves_global_rng_alone():
    from benchmarks.datasets.mnist1d_data import mnist1d

    np.random.seed(123)
    random.seed(123)
    expected_np, expected_py = np.random.rand(), random.random()
    np.random.seed(123)
    random.seed(123)
    files = mnist1d()
    assert np.random.rand() == expected_np and random.random() == expected_py
    assert files.meta["generator_args"]["seed"] == 42


def test_boolean_tasks_enumerate_all_patterns_and_test_is_train(built):
    for n in range(2, 9):
        ds = load_dataset(f"parity{n}", root=built)
        assert ds.meta["test_is_train"] and ds.x_test is ds.x_train
        assert len({tuple(row) for row in ds.x_train}) == 2**n
        assert set(np.unique(ds.x_train)) == {0.0, 1.0}
        assert np.array_equal(ds.y_train[:, 0], ds.x_train.sum(axis=1) % 2), n
    xor = load_dataset("xor", root=built)
    assert np.array_equal(xor.y_train[:, 0], np.logical_xor(xor.x_train[:, 0], xor.x_train[:, 1]))


def test_symmetry_labels(built):
    ds = load_dataset("symmetry6", root=built)
    for row, target in zip(ds.x_train, ds.y_train[:, 0], strict=True):
        assert target == float(list(row) == list(row[::-1]))
    assert ds.y_train.sum() == 8  # 2**3 palindromes of length 6


def test_encoders_are_one_hot_identities(built):
    for n, h in ((4, 2), (8, 3), (16, 4), (32, 5)):
        ds = load_dataset(f"encoder_{n}_{h}_{n}", root=built)
        assert np.array_equal(ds.x_train, np.eye(n)) and np.array_equal(ds.y_train, ds.x_train)
        assert ds.meta["hidden_units"] == h


def _decode_monks(x: np.ndarray) -> np.ndarray:
    """One-hot (17) back to attribute values a1..a6 (from 1), independently of the builder."""
    bounds = np.cumsum((0, *ATTRIBUTE_VALUES))
    return np.stack([x[:, lo:hi].argmax(axis=1) + 1 for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)], 1)


def _rule(problem: int, a: np.ndarray) -> np.ndarray:
    a1, a2, a3, a4, a5, a6 = a.T
    if problem == 1:
        return (a1 == a2) | (a5 == 1)
    if problem == 2:
        return sum(v == 1 for v in (a1, a2, a3, a4, a5, a6)) == 2
    return ((a5 == 3) & (a4 == 1)) | ((a5 != 4) & (a2 != 3))


@pytest.mark.parametrize("problem", [1, 2, 3])
def test_monks_rules_sizes_and_noise(built, problem):
    ds = load_dataset(f"monks{problem}", root=built)
    assert ds.x_test.shape == (432, 17)
    assert np.all(ds.x_test.sum(axis=1) == 6)
    attrs_test = _decode_monks(ds.x_test)
    assert len({tuple(r) for r in attrs_test}) == 432
    assert np.array_equal(ds.y_test[:, 0].astype(bool), _rule(problem, attrs_test))
    assert len(ds.x_train) == TRAIN_SIZES[problem] == {1: 124, 2: 169, 3: 122}[problem]
    attrs_train = _decode_monks(ds.x_train)
    assert len({tuple(r) for r in attrs_train}) == len(attrs_train)  # drawn without replacement
    flipped = ds.y_train[:, 0].astype(bool) != _rule(problem, attrs_train)
    if problem == 3:
        assert abs(flipped.mean() - 0.05) < 0.01 and flipped.sum() == 6
        assert sorted(np.flatnonzero(flipped).tolist()) == ds.meta["noisy_train_positions"]
    else:
        assert not flipped.any()
    assert "not reproduced exactly" in ds.meta["note"]


def test_temporal_xor_property(built):
    ds = load_dataset("temporal_xor", root=built)
    for x, y in ((ds.x_train[:, 0], ds.y_train[:, 0]), (ds.x_test[:, 0], ds.y_test[:, 0])):
        assert np.array_equal(y[:-1], x[1:])  # y[t] is the next bit
        mask = temporal_xor_predictable_mask(len(x))
        t = np.flatnonzero(mask)
        assert np.array_equal(y[t], np.logical_xor(x[t - 1], x[t]))
        assert 0.45 < y[~mask].mean() < 0.55  # the other bits are coin flips
    assert not np.array_equal(ds.x_train[:3000], ds.x_test)  # independent streams
    assert ds.meta["predictable_offset"] == 1 and ds.meta["period"] == 3


def test_unknown_name_lists_valid_names(built):
    with pytest.raises(ValueError, match="valid names: .*monks1"):
        load_dataset("mnist1d_typo", root=built)


def test_missing_folder_says_how_to_build(tmp_path):
    with pytest.raises(DatasetNotBuiltError, match="nobp datasets build"):
        load_dataset("digits", root=tmp_path / "nowhere")


def _copy(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "datasets"
    shutil.copytree(built, root)
    return root


def test_verify_names_tampered_missing_and_unexpected_files(built, tmp_path):
    root = _copy(built, tmp_path)
    y = np.load(root / "monks3" / "y_train.npy")
    y[0, 0] = 1 - y[0, 0]
    np.save(root / "monks3" / "y_train.npy", y)
    (root / "parity4" / "x_train.npy").unlink()
    (root / "extra").mkdir()
    (root / "extra" / "junk.npy").write_bytes(b"junk")
    with pytest.raises(DatasetMismatchError) as info:
        verify_datasets(root, DATASETS_DVC)
    message = str(info.value)
    assert "'monks3': differs: monks3/y_train.npy" in message
    assert "'parity4': missing: parity4/x_train.npy" in message
    assert "'extra': unexpected: extra/junk.npy" in message
    assert "nobp datasets build" in message
    assert "digits" not in message


def test_verify_checks_the_dvc_directory_hash(built, tmp_path):
    dvc_file = tmp_path / "datasets.dvc"
    shutil.copy(DATASETS_DVC, dvc_file)
    data = yaml.safe_load(dvc_file.read_text())
    data["outs"][0]["md5"] = "0" * 32 + ".dir"
    dvc_file.write_text(yaml.safe_dump(data))
    with pytest.raises(DatasetMismatchError, match="directory hash"):
        verify_datasets(built, dvc_file)


def test_write_manifest_round_trips(built, tmp_path):
    dvc_file = tmp_path / "datasets.dvc"
    dvc_file.write_text(f"outs:\n- md5: {dvc_dir_md5(built)}\n  hash: md5\n  path: datasets\n")
    write_manifest(file_manifest(built), dvc_file)
    md5, manifest = read_dvc_file(dvc_file)
    assert md5 == dvc_dir_md5(built) and manifest == file_manifest(built)
    verify_datasets(built, dvc_file)


def test_verify_without_pin_or_build(tmp_path, built):
    with pytest.raises(DatasetMismatchError, match="nobp datasets pin"):
        verify_datasets(built, tmp_path / "absent.dvc")
    with pytest.raises(DatasetMismatchError, match="does not exist"):
        verify_datasets(tmp_path / "absent", DATASETS_DVC)


def test_cli_build_and_verify(built, tmp_path):
    runner = CliRunner()
    root = tmp_path / "datasets"
    result = runner.invoke(app, ["build", "--root", str(root), "--dvc-file", str(DATASETS_DVC)])
    assert result.exit_code == 0, result.output
    assert file_manifest(root) == file_manifest(built)
    result = runner.invoke(app, ["verify", "--root", str(root), "--dvc-file", str(DATASETS_DVC)])
    assert result.exit_code == 0, result.output
    (root / "xor" / "meta.json").write_text("{}\n")
    result = runner.invoke(app, ["verify", "--root", str(root), "--dvc-file", str(DATASETS_DVC)])
    assert result.exit_code == 1
    assert "'xor': differs: xor/meta.json" in result.output
