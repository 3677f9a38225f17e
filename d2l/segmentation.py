"""Pascal VOC 2012 semantic segmentation data (chapter 11).

The constants and readers are taught in notebook 11.4 (the semantic segmentation data set):
``VOC_CLASSES``, ``VOC_COLORMAP``, ``download_voc_pascal``, ``read_voc_images``,
``voc_colormap2label``, ``voc_label_indices``, ``voc_rand_crop`` and ``VOCSegDataset``.
The VOC archive (2 GB) comes through the data hub; ``make_sample_voc`` writes a few generated
image pairs in the same folder layout, so the readers can be taught and tested without it.
"""
import io
import os
import random
import tarfile
from pathlib import Path
from typing import List, Optional, Tuple

import mxnet as mx
import numpy as np
from mxnet import gluon, nd

from .data import hub
from .detection import _hub_file

__all__ = ["VOC_CLASSES", "VOC_COLORMAP", "VOCSegDataset", "download_voc_pascal", "make_sample_voc",
           "read_voc_images", "voc_colormap2label", "voc_label_indices", "voc_rand_crop"]

VOC_CLASSES = ["background", "aeroplane", "bicycle", "bird", "boat",
               "bottle", "bus", "car", "cat", "chair", "cow",
               "diningtable", "dog", "horse", "motorbike", "person",
               "potted plant", "sheep", "sofa", "train", "tv/monitor"]
VOC_COLORMAP = [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0],
                [0, 0, 128], [128, 0, 128], [0, 128, 128], [128, 128, 128],
                [64, 0, 0], [192, 0, 0], [64, 128, 0], [192, 128, 0],
                [64, 0, 128], [192, 0, 128], [64, 128, 128], [192, 128, 128],
                [0, 64, 0], [128, 64, 0], [0, 192, 0], [128, 192, 0],
                [0, 64, 128]]
VOC_TAR = "VOCtrainval_11-May-2012.tar"
VOC_SUBDIR = Path("VOCdevkit") / "VOC2012"
VOC_BORDER_COLOR = [224, 224, 192]  # palette entry 255: object outlines and "difficult" pixels


def _is_voc_root(folder: Path) -> bool:
    return (folder / "ImageSets" / "Segmentation" / "train.txt").is_file()


def _safe_extract_tar(tar_path, target) -> None:
    """Extract a tar archive into ``target``, refusing members that would land outside it."""
    target = Path(target).resolve()
    with tarfile.open(tar_path) as archive:
        for member in archive.getmembers():
            destination = (target / member.name).resolve()
            if not (member.isfile() or member.isdir()) or os.path.commonpath([target, destination]) != str(target):
                raise ValueError(f"{tar_path} holds {member.name!r}, which is not a plain file inside "
                                 f"{target}; refusing to extract it")
        archive.extractall(target)


def download_voc_pascal(data_dir=None, allow_download=True):
    """Return the folder ``VOCdevkit/VOC2012`` of Pascal VOC 2012, extracting the archive if needed.

    An already extracted copy is used as it is: first under ``data_dir``, then in the data hub's
    folders. Otherwise the archive ``VOCtrainval_11-May-2012.tar`` (2 GB) is found or downloaded
    through the data hub and extracted into ``data_dir`` (default: the hub's download folder).
    With ``allow_download=False`` a missing archive raises ``DataHubError`` without any download.
    Taught in notebook 11.4.
    """
    folders = ([Path(data_dir)] if data_dir is not None else []) + hub.search_path()
    for folder in folders:
        if _is_voc_root(folder / VOC_SUBDIR):
            return folder / VOC_SUBDIR
    tar_path = _hub_file(VOC_TAR, allow_download)
    target = Path(data_dir) if data_dir is not None else hub.cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    _safe_extract_tar(tar_path, target)
    if not _is_voc_root(target / VOC_SUBDIR):
        raise FileNotFoundError(f"{tar_path} did not contain {VOC_SUBDIR}/ImageSets/Segmentation/train.txt")
    return target / VOC_SUBDIR


def read_voc_images(root=None, is_train=True):
    """Read the training (or validation) images and label images listed in a VOC folder.

    ``root`` is a VOC2012-style folder (``JPEGImages``, ``SegmentationClass``,
    ``ImageSets/Segmentation/train.txt`` and ``val.txt``); by default it is found with
    :func:`download_voc_pascal`. Returns two lists of uint8 NDArrays of shape (height, width, 3):
    the photos and their label images, whose colours are those of ``VOC_COLORMAP``.
    Taught in notebook 11.4.
    """
    root = Path(download_voc_pascal() if root is None else root)
    list_file = root / "ImageSets" / "Segmentation" / ("train.txt" if is_train else "val.txt")
    if not list_file.is_file():
        raise FileNotFoundError(f"{list_file} does not exist; is {root} a VOC2012 folder?")
    names = list_file.read_text().split()
    features, labels = [], []
    for name in names:
        features.append(mx.image.imread(str(root / "JPEGImages" / f"{name}.jpg")))
        labels.append(mx.image.imread(str(root / "SegmentationClass" / f"{name}.png")))
    return features, labels


def voc_colormap2label():
    """A lookup table from a colour code ``(r * 256 + g) * 256 + b`` to its VOC class index.

    Returns a float32 NDArray of length 256 ** 3; colours not in ``VOC_COLORMAP`` (such as the
    cream outline colour) map to 0, the background. Taught in notebook 11.4.
    """
    table = nd.zeros(256 ** 3)
    for i, (r, g, b) in enumerate(VOC_COLORMAP):
        table[(r * 256 + g) * 256 + b] = i
    return table


def voc_label_indices(colormap, colormap2label):
    """Turn a label image ``colormap`` (height, width, 3) into class indices (height, width).

    Each pixel's colour is encoded as ``(r * 256 + g) * 256 + b`` and looked up in
    ``colormap2label`` (see :func:`voc_colormap2label`). Taught in notebook 11.4.
    """
    if colormap.ndim != 3 or colormap.shape[2] != 3:
        raise ValueError(f"colormap must have shape (height, width, 3), got {colormap.shape}")
    colormap = colormap.astype("int32")
    codes = (colormap[:, :, 0] * 256 + colormap[:, :, 1]) * 256 + colormap[:, :, 2]
    return nd.take(colormap2label, codes.as_in_context(colormap2label.context))


def voc_rand_crop(feature, label, height, width):
    """Crop the same random ``height`` x ``width`` window out of an image and its label image.

    Both inputs are (height, width, channels) NDArrays of equal size. Labels are cropped, never
    resized, so every pixel keeps its class. Taught in notebook 11.4.
    """
    h, w = feature.shape[:2]
    if label.shape[:2] != (h, w):
        raise ValueError(f"feature {feature.shape} and label {label.shape} differ in size")
    if not (0 < height <= h and 0 < width <= w):
        raise ValueError(f"cannot crop {height} x {width} out of a {h} x {w} image")
    x0, y0 = random.randint(0, w - width), random.randint(0, h - height)
    return (mx.image.fixed_crop(feature, x0, y0, width, height),
            mx.image.fixed_crop(label, x0, y0, width, height))


class VOCSegDataset(gluon.data.Dataset):
    """Pascal VOC semantic segmentation as a Gluon data set of random crops.

    Images smaller than ``crop_size`` (height, width) are dropped. Photos are scaled to [0, 1]
    and standardized per channel with the ImageNet mean and standard deviation. Item ``i`` is a
    new random crop: a float32 image (3, height, width) and its class indices (height, width).
    Taught in notebook 11.4.
    """

    def __init__(self, is_train, crop_size, voc_dir, colormap2label):
        if len(crop_size) != 2 or min(crop_size) <= 0:
            raise ValueError(f"crop_size must be (height, width) with positive sizes, got {crop_size}")
        self.rgb_mean = nd.array([0.485, 0.456, 0.406])
        self.rgb_std = nd.array([0.229, 0.224, 0.225])
        self.crop_size = tuple(crop_size)
        features, labels = read_voc_images(root=voc_dir, is_train=is_train)
        keep = [i for i, feature in enumerate(features) if self._big_enough(feature)]
        self.features = [self.normalize_image(features[i]) for i in keep]
        self.labels = [labels[i] for i in keep]
        self.colormap2label = colormap2label
        print(f"read {len(self.features)} examples (of {len(features)})")

    def _big_enough(self, img):
        return img.shape[0] >= self.crop_size[0] and img.shape[1] >= self.crop_size[1]

    def normalize_image(self, img):
        """Scale a uint8 image to [0, 1] and standardize each channel."""
        return (img.astype("float32") / 255 - self.rgb_mean) / self.rgb_std

    def __getitem__(self, idx):
        feature, label = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)
        return feature.transpose((2, 0, 1)), voc_label_indices(label, self.colormap2label)

    def __len__(self):
        return len(self.features)


def _encode_voc_image(img: np.ndarray, fmt: str, palette: Optional[List[int]] = None) -> bytes:
    from PIL import Image  # Pillow comes with matplotlib

    picture = Image.fromarray(img)
    if palette is not None:
        picture.putpalette(palette)
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def _draw_voc_scene(rng: np.random.RandomState, height: int, width: int) -> Tuple[np.ndarray, np.ndarray]:
    """A random photo-like picture with 1-3 objects; return (uint8 RGB image, uint8 class-index map)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    c1, c2 = rng.randint(40, 216, size=(2, 3))
    t = (y / height)[..., None]
    img = (1 - t) * c1 + t * c2 + rng.normal(0, 6, size=(height, width, 3))
    index = np.zeros((height, width), np.uint8)
    for _ in range(rng.randint(1, 4)):
        cls = rng.randint(1, len(VOC_CLASSES))
        oh, ow = rng.uniform(0.25, 0.6) * height, rng.uniform(0.2, 0.5) * width
        cy, cx = rng.uniform(oh / 2, height - oh / 2), rng.uniform(ow / 2, width - ow / 2)
        dy, dx = (y - cy) / (oh / 2), (x - cx) / (ow / 2)
        inside = dy ** 2 + dx ** 2 <= 1 if rng.rand() < 0.5 else (np.abs(dy) <= 1) & (np.abs(dx) <= 1)
        base = rng.randint(0, 256, size=3)
        shade = 0.75 + 0.25 * (1 - dy.clip(-1, 1)) / 2  # lighter at the top
        img[inside] = (base * shade[..., None])[inside]
        index[inside] = cls
    # Outline the objects with the "void" index 255, about four pixels wide, like the VOC labels.
    padded = np.pad(index, 1, mode="edge")
    edge = np.zeros((height, width), bool)
    for dy, dx in ((0, 1), (1, 0), (1, 2), (2, 1)):  # a 4-neighbour of another class
        edge |= padded[dy:dy + height, dx:dx + width] != index
    grown = np.pad(edge, 1)
    edge |= grown[:-2, 1:-1] | grown[2:, 1:-1] | grown[1:-1, :-2] | grown[1:-1, 2:]
    index[edge] = 255
    return np.clip(img, 0, 255).astype(np.uint8), index


def make_sample_voc(data_dir, num_train=6, num_val=3, seed=0):
    """Write a few generated VOC-style image pairs into ``data_dir`` and return its path.

    The layout is that of ``VOCdevkit/VOC2012``: ``JPEGImages/<name>.jpg`` (photos),
    ``SegmentationClass/<name>.png`` (palette images in the ``VOC_COLORMAP`` colours, object
    outlines in the cream "void" colour) and ``ImageSets/Segmentation/train.txt`` / ``val.txt``.
    Most pictures are 500 wide and 340-375 high like VOC's; the last of each split is 300 x 400,
    smaller than the usual crop, to show filtering. ``seed`` makes the output repeatable without
    touching the global random generators. Used by notebook 11.4 when the real archive is absent.
    """
    if num_train < 1 or num_val < 1:
        raise ValueError(f"num_train and num_val must be at least 1, got {num_train} and {num_val}")
    root = Path(data_dir)
    for sub in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    palette = [0] * (256 * 3)
    for i, color in enumerate(VOC_COLORMAP):
        palette[3 * i:3 * i + 3] = color
    palette[3 * 255:] = VOC_BORDER_COLOR
    rng = np.random.RandomState(seed)
    number = 0
    for split, count in (("train", num_train), ("val", num_val)):
        names = []
        for i in range(count):
            number += 1
            name = f"sample_{number:06d}"
            small = i == count - 1 and count > 1
            height, width = (300, 400) if small else (int(rng.randint(340, 376)), 500)
            img, index = _draw_voc_scene(rng, height, width)
            (root / "JPEGImages" / f"{name}.jpg").write_bytes(_encode_voc_image(img, "JPEG"))
            (root / "SegmentationClass" / f"{name}.png").write_bytes(_encode_voc_image(index, "PNG", palette))
            names.append(name)
        (root / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("\n".join(names) + "\n")
    return root
