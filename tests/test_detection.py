"""d2l.detection: boxes on plots (11.2) and the Pikachu RecordIO reader on a generated sample (11.3)."""
import mxnet as mx
import numpy as np
import pytest
from mxnet import nd

import d2l
from d2l.data import hub


@pytest.fixture(autouse=True)
def close_figures():
    yield
    d2l.plt.close("all")


@pytest.fixture(scope="module")
def pikachu_dir(tmp_path_factory):
    return d2l.make_sample_pikachu(tmp_path_factory.mktemp("pikachu"), num_train=10, num_val=6,
                                   edge_size=64, seed=3)


def stored_labels(folder, split):
    record = mx.recordio.MXIndexedRecordIO(str(folder / f"{split}.idx"), str(folder / f"{split}.rec"), "r")
    labels = [np.asarray(mx.recordio.unpack(record.read_idx(k))[0].label) for k in record.keys]
    record.close()
    return np.array(labels)


def test_bbox_to_rect_geometry():
    rect = d2l.bbox_to_rect(nd.array([10, 20, 50, 80]), "red")
    assert rect.get_xy() == (10, 20) and (rect.get_width(), rect.get_height()) == (40, 60)
    assert not rect.get_fill()
    assert d2l.bbox_to_rect([0.5, 1, 2, 3], "b").get_width() == 1.5
    with pytest.raises(ValueError, match="x_min"):
        d2l.bbox_to_rect([1, 2, 3], "b")


def test_show_bboxes_cycles_colours_and_writes_labels():
    _, ax = d2l.plt.subplots()
    boxes = nd.array([[0, 0, 1, 1], [1, 1, 3, 3], [2, 0, 4, 2]])
    d2l.show_bboxes(ax, boxes, labels=["a", "b"], colors=["r", "w"])
    edges = [tuple(p.get_edgecolor()) for p in ax.patches]
    assert edges == [matplotlib_rgba("r"), matplotlib_rgba("w"), matplotlib_rgba("r")]
    assert [t.get_text() for t in ax.texts] == ["a", "b"]
    assert ax.texts[1].get_color() == "k"  # dark text on a white box
    _, ax2 = d2l.plt.subplots()
    d2l.show_bboxes(ax2, [[0, 0, 1, 1]], labels="one", colors="g")
    assert [t.get_text() for t in ax2.texts] == ["one"] and len(ax2.patches) == 1


def matplotlib_rgba(color):
    from matplotlib.colors import to_rgba
    return to_rgba(color)


def test_sample_records_have_the_pikachu_label_layout(pikachu_dir):
    assert sorted(p.name for p in pikachu_dir.iterdir()) == ["train.idx", "train.rec", "val.idx", "val.rec"]
    labels = stored_labels(pikachu_dir, "train")
    assert labels.shape == (10, 7)
    np.testing.assert_array_equal(labels[:, :3], [[2, 5, 0]] * 10)
    boxes = labels[:, 3:]
    assert (boxes >= 0).all() and (boxes <= 1).all()
    assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
    # the box is tight around the yellow creature
    record = mx.recordio.MXIndexedRecordIO(str(pikachu_dir / "train.idx"), str(pikachu_dir / "train.rec"), "r")
    header, payload = mx.recordio.unpack(record.read_idx(0))
    record.close()
    img = mx.image.imdecode(payload).asnumpy().astype(int)
    x0, y0, x1, y1 = (np.asarray(header.label[3:]) * 64).round().astype(int)
    yellow = (img[..., 0] > 200) & (img[..., 1] > 170) & (img[..., 2] < 120)
    assert yellow[y0:y1, x0:x1].sum() > 0.9 * yellow.sum() > 0


def test_sample_is_repeatable(tmp_path):
    a = d2l.make_sample_pikachu(tmp_path / "a", 2, 1, edge_size=32, seed=5)
    b = d2l.make_sample_pikachu(tmp_path / "b", 2, 1, edge_size=32, seed=5)
    assert (a / "train.rec").read_bytes() == (b / "train.rec").read_bytes()
    with pytest.raises(ValueError, match="num_train"):
        d2l.make_sample_pikachu(tmp_path / "c", 0, 1)


def test_load_data_pikachu_reads_the_sample(pikachu_dir):
    d2l.set_seed(0)
    train_iter, val_iter = d2l.load_data_pikachu(4, edge_size=48, root=pikachu_dir)
    batch = train_iter.next()
    X, Y = batch.data[0], batch.label[0]
    assert X.shape == (4, 3, 48, 48) and X.dtype == np.float32
    assert 0 <= X.min().asscalar() and X.max().asscalar() <= 255
    assert Y.shape == (4, 1, 5) and (Y[:, 0, 0] == 0).asnumpy().all()
    # validation: no shuffling, no cropping, so the labels are exactly the stored ones
    val_labels = np.concatenate([b.label[0].asnumpy()[:, 0, :] for b in val_iter])
    stored = stored_labels(pikachu_dir, "val")[:, 2:]
    np.testing.assert_allclose(val_labels[:6], stored, atol=1e-6)
    assert len(val_labels) == 8  # 6 records padded to two batches of 4
    # an epoch of training batches, then reset for the next one
    count = 1 + sum(1 for _ in train_iter)
    train_iter.reset()
    assert count == 3 and sum(1 for _ in train_iter) == 3


def test_load_data_pikachu_errors(tmp_path, monkeypatch, pikachu_dir):
    with pytest.raises(ValueError, match="batch_size"):
        d2l.load_data_pikachu(0, root=pikachu_dir)
    with pytest.raises(FileNotFoundError, match="train.rec"):
        d2l.load_data_pikachu(2, root=tmp_path)
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(hub.CACHE_DIR_ENV, str(tmp_path))
    with pytest.raises(hub.DataHubError, match="make_sample_pikachu"):
        d2l.load_data_pikachu(2, allow_download=False)
