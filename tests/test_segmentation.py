"""d2l.segmentation: VOC constants and readers on a generated VOC-style folder (notebook 11.4)."""
import io
import tarfile

import numpy as np
import pytest
from mxnet import nd

import d2l
from d2l import segmentation
from d2l.data import hub


@pytest.fixture(scope="module")
def voc_root(tmp_path_factory):
    return d2l.make_sample_voc(tmp_path_factory.mktemp("voc"), num_train=3, num_val=2, seed=1)


@pytest.fixture(scope="module")
def colormap2label():
    return d2l.voc_colormap2label()


def test_constants():
    assert len(d2l.VOC_CLASSES) == len(d2l.VOC_COLORMAP) == 21
    assert d2l.VOC_CLASSES[0] == "background" and d2l.VOC_CLASSES[15] == "person"
    assert len({tuple(c) for c in d2l.VOC_COLORMAP}) == 21


def test_label_indices(colormap2label):
    colormap = nd.array([[[0, 0, 0], [128, 0, 0], [192, 128, 128]],
                         [[0, 64, 128], [224, 224, 192], [1, 2, 3]]], dtype="uint8")
    indices = d2l.voc_label_indices(colormap, colormap2label)
    assert indices.shape == (2, 3)
    np.testing.assert_array_equal(indices.asnumpy(), [[0, 1, 15], [20, 0, 0]])
    with pytest.raises(ValueError, match="height, width, 3"):
        d2l.voc_label_indices(nd.zeros((2, 3)), colormap2label)


def test_rand_crop_cuts_the_same_window(monkeypatch):
    ys, xs = np.mgrid[0:6, 0:8]
    feature = nd.array(np.stack([ys, xs, ys + xs], axis=-1), dtype="uint8")
    label = nd.array(np.stack([ys * 10, xs * 10, np.zeros_like(ys)], axis=-1), dtype="uint8")
    d2l.set_seed(0)
    seen = set()
    for _ in range(20):
        f, l = d2l.voc_rand_crop(feature, label, 3, 4)
        assert f.shape == (3, 4, 3) and l.shape == (3, 4, 3)
        np.testing.assert_array_equal(l.asnumpy()[..., :2], f.asnumpy()[..., :2] * 10)
        seen.add((int(f[0, 0, 0].asscalar()), int(f[0, 0, 1].asscalar())))
    assert len(seen) > 3  # the window moves
    full, _ = d2l.voc_rand_crop(feature, label, 6, 8)
    assert (full == feature).asnumpy().all()
    with pytest.raises(ValueError, match="cannot crop"):
        d2l.voc_rand_crop(feature, label, 7, 4)
    with pytest.raises(ValueError, match="differ"):
        d2l.voc_rand_crop(feature, label[:5], 2, 2)


def test_sample_folder_layout(voc_root):
    assert (voc_root / "ImageSets" / "Segmentation" / "train.txt").read_text().split() == [
        "sample_000001", "sample_000002", "sample_000003"]
    assert len(list((voc_root / "JPEGImages").glob("*.jpg"))) == 5
    from PIL import Image
    png = Image.open(voc_root / "SegmentationClass" / "sample_000001.png")
    assert png.mode == "P" and png.getpalette()[3:6] == [128, 0, 0]


def test_read_voc_images(voc_root, colormap2label):
    features, labels = d2l.read_voc_images(voc_root, is_train=True)
    assert len(features) == len(labels) == 3
    for f, l in zip(features, labels):
        assert f.shape == l.shape and f.dtype == np.uint8 and f.shape[2] == 3
    assert features[-1].shape[:2] == (300, 400) and features[0].shape[1] == 500
    colours = {tuple(c) for c in np.unique(labels[0].reshape((-1, 3)).asnumpy(), axis=0).tolist()}
    allowed = {tuple(c) for c in d2l.VOC_COLORMAP} | {tuple(segmentation.VOC_BORDER_COLOR)}
    assert colours <= allowed and len(colours) >= 3  # background, outline and an object
    indices = d2l.voc_label_indices(labels[0], colormap2label).asnumpy()
    assert indices.max() >= 1 and set(np.unique(indices)) <= set(range(21))
    val_features, _ = d2l.read_voc_images(voc_root, is_train=False)
    assert len(val_features) == 2
    with pytest.raises(FileNotFoundError, match="VOC2012"):
        d2l.read_voc_images(voc_root / "JPEGImages")


def test_seg_dataset_filters_normalizes_and_crops(voc_root, colormap2label, capsys):
    d2l.set_seed(0)
    dataset = d2l.VOCSegDataset(True, (320, 480), voc_root, colormap2label)
    assert "read 2 examples (of 3)" in capsys.readouterr().out
    assert len(dataset) == 2  # the 300 x 400 picture is dropped
    X, Y = dataset[0]
    assert X.shape == (3, 320, 480) and X.dtype == np.float32 and Y.shape == (320, 480)
    raw, _ = d2l.read_voc_images(voc_root)
    expected = (raw[0].astype("float32") / 255 - nd.array([0.485, 0.456, 0.406])) / nd.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(dataset.features[0].asnumpy(), expected.asnumpy(), rtol=1e-5, atol=1e-5)
    small = d2l.VOCSegDataset(True, (100, 100), voc_root, colormap2label)
    assert len(small) == 3
    with pytest.raises(ValueError, match="crop_size"):
        d2l.VOCSegDataset(True, (0, 10), voc_root, colormap2label)


def test_download_voc_pascal_uses_an_extracted_copy(tmp_path, monkeypatch, voc_root):
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(tmp_path / "nothing"))
    monkeypatch.setenv(hub.CACHE_DIR_ENV, str(tmp_path / "cache"))
    target = tmp_path / "VOCdevkit" / "VOC2012"
    target.parent.mkdir()
    target.symlink_to(voc_root, target_is_directory=True)
    assert d2l.download_voc_pascal(data_dir=tmp_path) == target
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(tmp_path))  # found through the data hub's folders
    assert d2l.download_voc_pascal() == target
    monkeypatch.setenv(hub.DATA_DIR_ENV, str(tmp_path / "nothing"))
    with pytest.raises(hub.DataHubError, match="VOCtrainval"):
        d2l.download_voc_pascal(data_dir=tmp_path / "empty", allow_download=False)


def test_safe_extract(tmp_path):
    def make_tar(path, members):
        with tarfile.open(path, "w") as archive:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return path

    good = make_tar(tmp_path / "good.tar", [("VOCdevkit/VOC2012/ImageSets/Segmentation/train.txt", b"a\n")])
    segmentation._safe_extract_tar(good, tmp_path / "out")
    assert (tmp_path / "out" / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "train.txt").exists()
    bad = make_tar(tmp_path / "bad.tar", [("../escape.txt", b"x")])
    with pytest.raises(ValueError, match="escape"):
        segmentation._safe_extract_tar(bad, tmp_path / "out2")
    assert not (tmp_path / "escape.txt").exists()
