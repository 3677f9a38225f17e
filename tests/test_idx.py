import gzip
import struct

import numpy as np
import pytest

import d2l
from d2l.data import hub


def _write_idx(path, array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        f.write(body)


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_round_trip_uint8(tmp_path, suffix):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / f"images{suffix}"
    _write_idx(path, images)
    out = d2l.read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, images)


def test_big_endian_int32(tmp_path):
    values = np.array([1, -2, 70000], dtype=np.int32)
    _write_idx(tmp_path / "v", values, type_code=0x0C)
    np.testing.assert_array_equal(d2l.read_idx(tmp_path / "v"), values)


def test_bad_magic(tmp_path):
    (tmp_path / "x").write_bytes(b"PK\x03\x04rest")
    with pytest.raises(ValueError, match="not an idx file"):
        d2l.read_idx(tmp_path / "x")


def test_truncated_body(tmp_path):
    _write_idx(tmp_path / "x", np.zeros((4, 5), dtype=np.uint8))
    data = (tmp_path / "x").read_bytes()
    (tmp_path / "x").write_bytes(data[:-3])
    with pytest.raises(ValueError, match=r"promises shape \(4, 5\)"):
        d2l.read_idx(tmp_path / "x")


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="mnist"):
        d2l.load_idx_dataset("cifar")


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_real_data_sets(real_data_dir, monkeypatch, name):
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(real_data_dir))
    images, labels = d2l.load_idx_dataset(name, train=False)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.int32
    assert sorted(set(labels.tolist())) == list(range(10))
    assert np.bincount(labels).min() > 800
