"""Bounding boxes and the Pikachu object-detection data set (chapter 11).

``bbox_to_rect`` and ``show_bboxes`` are taught in notebook 11.2 (anchor boxes);
``load_data_pikachu`` and ``make_sample_pikachu`` in notebook 11.3 (the object-detection data
set). The real Pikachu files (``train.rec``, ``train.idx``, ``val.rec``) come through the data
hub; ``make_sample_pikachu`` writes a small look-alike in the same RecordIO format, so the reader
can be taught and tested without them.
"""
import io
from pathlib import Path
from typing import Tuple, Union

import mxnet as mx
import numpy as np

import d2l
from .data import hub

__all__ = ["bbox_to_rect", "load_data_pikachu", "make_sample_pikachu", "show_bboxes"]

PIKACHU_FILES = ("train.rec", "train.idx", "val.rec")
DEFAULT_BOX_COLORS = ["b", "g", "r", "m", "c"]


def _hub_file(name: str, allow_download: bool = True) -> Path:
    """Local path of the registered data file ``name``: through the data hub, or only searched for.

    With ``allow_download=False`` nothing is fetched: a file missing from the search path raises
    :class:`d2l.data.DataHubError` at once. Big archives use this in smoke runs.
    """
    if allow_download:
        return hub.download(name)
    found = hub.find(name)
    if found is None:
        searched = "\n  ".join(str(folder / name) for folder in hub.search_path())
        raise hub.DataHubError(
            f"Data file {name!r} is not on this machine and downloading was not allowed.\n"
            f"Looked for it at:\n  {searched}\n"
            f"Put it in one of those folders (or point {hub.DATA_DIR_ENV} at a folder that holds it), "
            f"or allow the download from {hub.REGISTRY[name].url}.\n"
            "이 컴퓨터에 파일이 없고 내려받기도 허용되지 않았습니다. 위 폴더 중 하나에 파일을 두세요."
        )
    return found


def bbox_to_rect(bbox, color):
    """A matplotlib rectangle (outline only) for a box ``[x_min, y_min, x_max, y_max]`` in pixels.

    ``bbox`` may be a list, NumPy array or NDArray. Taught in notebook 11.2.
    """
    values = bbox.asnumpy() if hasattr(bbox, "asnumpy") else np.asarray(bbox, dtype=np.float64)
    values = values.reshape(-1)
    if values.size != 4:
        raise ValueError(f"a box is [x_min, y_min, x_max, y_max], got {values.size} numbers: {values}")
    x_min, y_min, x_max, y_max = (float(v) for v in values)
    return d2l.plt.Rectangle(xy=(x_min, y_min), width=x_max - x_min, height=y_max - y_min,
                             fill=False, edgecolor=color, linewidth=2)


def show_bboxes(axes, bboxes, labels=None, colors=None):
    """Outline every box of ``bboxes`` (rows ``[x_min, y_min, x_max, y_max]``) on ``axes``.

    ``labels`` (one string or a list) are written at the boxes' upper-left corners; ``colors``
    (one colour or a list) are used in turn, by default blue, green, red, magenta, cyan.
    Taught in notebook 11.2.
    """
    def as_list(value, default=None):
        if value is None:
            return default
        return [value] if isinstance(value, str) else list(value)

    labels = as_list(labels, [])
    colors = as_list(colors, DEFAULT_BOX_COLORS)
    if not colors:
        raise ValueError("colors must name at least one colour")
    for i, bbox in enumerate(bboxes):
        color = colors[i % len(colors)]
        rect = bbox_to_rect(bbox, color)
        axes.add_patch(rect)
        if i < len(labels):
            text_color = "k" if color in ("w", "white") else "w"
            axes.text(rect.xy[0], rect.xy[1], labels[i], va="center", ha="center", fontsize=9,
                      color=text_color, bbox=dict(facecolor=color, lw=0))


def load_data_pikachu(batch_size, edge_size=256, root=None, allow_download=True):
    """Return ``(train_iter, val_iter)``: ``mx.image.ImageDetIter``s over the Pikachu data set.

    Batches hold images of shape ``(batch_size, 3, edge_size, edge_size)`` (float32, 0-255) and
    labels of shape ``(batch_size, 1, 5)``: ``[class, x_min, y_min, x_max, y_max]`` with
    coordinates relative to the image size. Training batches are shuffled and randomly cropped
    so that each crop keeps at least 95% of the object. The files come from the data hub; give
    ``root``, a folder holding ``train.rec``, ``train.idx`` and ``val.rec`` (e.g. one written by
    :func:`make_sample_pikachu`), to read other files. Taught in notebook 11.3.
    """
    if batch_size <= 0 or edge_size <= 0:
        raise ValueError(f"batch_size and edge_size must be positive, got {batch_size} and {edge_size}")
    if root is None:
        try:
            train_rec, train_idx, val_rec = (_hub_file(f"pikachu/{name}", allow_download)
                                             for name in PIKACHU_FILES)
        except hub.ChecksumError:
            raise
        except hub.DataHubError as err:
            raise hub.DataHubError(
                f"{err}\nWithout the Pikachu files, write a small sample with "
                "d2l.make_sample_pikachu(folder) and read it with load_data_pikachu(batch_size, root=folder)."
            ) from err
    else:
        train_rec, train_idx, val_rec = (Path(root) / name for name in PIKACHU_FILES)
        for path in (train_rec, train_idx, val_rec):
            if not path.is_file():
                raise FileNotFoundError(f"{path} does not exist; root must hold {', '.join(PIKACHU_FILES)}")
    data_shape = (3, edge_size, edge_size)
    train_iter = mx.image.ImageDetIter(
        path_imgrec=str(train_rec), path_imgidx=str(train_idx), batch_size=batch_size,
        data_shape=data_shape, shuffle=True, rand_crop=1, min_object_covered=0.95, max_attempts=200)
    val_iter = mx.image.ImageDetIter(
        path_imgrec=str(val_rec), batch_size=batch_size, data_shape=data_shape, shuffle=False)
    return train_iter, val_iter


def _draw_pikachu(rng: np.random.RandomState, edge_size: int) -> Tuple[np.ndarray, np.ndarray]:
    """One picture of a yellow creature on a random background; return (uint8 image, box in [0, 1])."""
    y, x = np.mgrid[0:edge_size, 0:edge_size].astype(np.float32) / edge_size
    c1, c2 = rng.randint(30, 226, size=(2, 3))
    angle = rng.uniform(0, 2 * np.pi)
    t = np.clip(0.5 + (x - 0.5) * np.cos(angle) + (y - 0.5) * np.sin(angle), 0, 1)[..., None]
    img = (1 - t) * c1 + t * c2 + rng.normal(0, 8, size=(edge_size, edge_size, 3))
    size = rng.uniform(0.18, 0.4)  # body height relative to the picture
    ry, rx = size / 2, size * rng.uniform(0.32, 0.42)
    cx = rng.uniform(rx + 0.02, 1 - rx - 0.02)
    cy = rng.uniform(0.02 + 1.3 * ry, 1 - ry - 0.02)  # room above the body for the ears
    body = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
    mask = body.copy()
    img[body] = [250, 215, 40]
    for side in (-1, 1):  # ears: thin ellipses above the head, black at the tips
        ex, ey = cx + side * 0.55 * rx, cy - 1.05 * ry
        ear = ((x - ex) / (0.16 * rx)) ** 2 + ((y - ey) / (0.3 * ry)) ** 2 <= 1
        img[ear] = [250, 215, 40]
        img[ear & (y < ey - 0.15 * ry)] = [20, 20, 20]
        mask |= ear
        eye = ((x - (cx + side * 0.35 * rx)) ** 2 + (y - (cy - 0.45 * ry)) ** 2) <= (0.1 * rx) ** 2
        cheek = ((x - (cx + side * 0.6 * rx)) ** 2 + (y - (cy - 0.2 * ry)) ** 2) <= (0.16 * rx) ** 2
        img[eye] = [15, 15, 15]
        img[cheek] = [225, 40, 30]
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    box = np.array([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1], np.float32) / edge_size
    return np.clip(img, 0, 255).astype(np.uint8), box


def _pikachu_jpeg_bytes(img: np.ndarray, quality: int = 90) -> bytes:
    from PIL import Image  # Pillow comes with matplotlib

    buffer = io.BytesIO()
    Image.fromarray(img).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def make_sample_pikachu(data_dir: Union[str, Path], num_train: int = 64, num_val: int = 16,
                        edge_size: int = 256, seed: int = 0) -> Path:
    """Write a small Pikachu-like detection data set into ``data_dir`` and return its path.

    Creates ``train.rec``/``train.idx`` (``num_train`` pictures) and ``val.rec``/``val.idx``
    (``num_val``) in MXNet's indexed RecordIO format, like the real data set: each record is a
    JPEG picture of ``edge_size`` x ``edge_size`` pixels with one yellow creature on a random
    background, and the label ``[2, 5, 0, x_min, y_min, x_max, y_max]`` (header length 2, object
    width 5, class 0, box relative to the picture). ``seed`` makes the pictures repeatable without
    touching the global random generators. Read it with ``load_data_pikachu(batch_size, root=data_dir)``
    (notebook 11.3).
    """
    if num_train < 1 or num_val < 1:
        raise ValueError(f"num_train and num_val must be at least 1, got {num_train} and {num_val}")
    if edge_size < 32:
        raise ValueError(f"edge_size must be at least 32 pixels, got {edge_size}")
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(seed)
    for split, count in (("train", num_train), ("val", num_val)):
        record = mx.recordio.MXIndexedRecordIO(str(data_dir / f"{split}.idx"),
                                               str(data_dir / f"{split}.rec"), "w")
        try:
            for i in range(count):
                img, box = _draw_pikachu(rng, edge_size)
                label = np.concatenate([[2, 5, 0], box]).astype(np.float32)
                header = mx.recordio.IRHeader(flag=0, label=label, id=i, id2=0)
                record.write_idx(i, mx.recordio.pack(header, _pikachu_jpeg_bytes(img)))
        finally:
            record.close()
    return data_dir

