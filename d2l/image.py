"""Showing images, and a picture the computer-vision notebooks draw themselves (chapter 11).

``show_images`` and ``make_sample_image`` are taught in notebook 11.1 (image augmentation) and
reused by notebooks 11.2 (anchor boxes), 11.3 (object-detection data) and 11.4 (segmentation data).
No image file is shipped with the course: the sample picture is drawn with NumPy.
"""
from typing import Dict, List, Tuple

import mxnet as mx
import numpy as np
from mxnet import nd

import d2l

__all__ = ["make_sample_image", "show_images"]


def _as_displayable(img):
    """An image as a NumPy array that ``imshow`` draws as intended (uint8 or floats in [0, 1])."""
    img = img.asnumpy() if hasattr(img, "asnumpy") else np.asarray(img)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[-1] not in (3, 4)):
        raise ValueError(f"an image must be (height, width) or (height, width, 3), got shape {img.shape}")
    if img.dtype != np.uint8 and img.ndim == 3 and img.size and img.max() > 1:
        img = np.clip(img, 0, 255).astype(np.uint8)  # float pixels on the 0-255 scale
    return img


def show_images(imgs, num_rows, num_cols, scale=2):
    """Draw ``imgs`` row by row on a ``num_rows`` x ``num_cols`` grid and return the 2-D array of axes.

    Each image is an NDArray or NumPy array of shape (height, width, 3) or (height, width), either
    uint8 or float; float pixels above 1 are read on the 0-255 scale. Every cell is ``scale`` inches
    wide; cells without an image stay blank. Taught in notebook 11.1.
    """
    if num_rows < 1 or num_cols < 1:
        raise ValueError(f"num_rows and num_cols must be positive, got {num_rows} and {num_cols}")
    if len(imgs) > num_rows * num_cols:
        raise ValueError(f"{len(imgs)} images do not fit on a {num_rows} x {num_cols} grid")
    d2l.use_svg_display()
    _, axes = d2l.plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale),
                               squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k < len(imgs):
            img = _as_displayable(imgs[k])
            ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        ax.axis("off")
    return axes


def make_sample_image(height: int = 240, width: int = 320, ctx=None) -> Tuple[nd.NDArray, Dict[str, List[float]]]:
    """Draw a small outdoor scene; return ``(image, boxes)``.

    ``image`` is a uint8 NDArray of shape ``(height, width, 3)`` on ``ctx`` (default CPU): sky,
    grass, a sun at the upper left, a ball on the grass and a house at the right, so that flips,
    crops and colour changes are easy to see. ``boxes`` maps ``'ball'`` and ``'house'`` to their
    bounding boxes ``[x_min, y_min, x_max, y_max]`` in pixels. Taught in notebook 11.1.
    """
    if height < 16 or width < 16:
        raise ValueError(f"the scene needs at least 16 x 16 pixels, got {height} x {width}")
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = x / width, y / height  # relative coordinates in [0, 1)
    unit = min(height, width)
    horizon = 0.62
    img = np.empty((height, width, 3), np.float32)
    sky = v < horizon
    t = (v / horizon)[..., None]
    img[:] = (1 - t) * np.array([90, 150, 230]) + t * np.array([205, 228, 250])
    g = ((v - horizon) / (1 - horizon))[..., None]
    img[~sky] = ((1 - g) * np.array([110, 190, 90]) + g * np.array([40, 120, 40]))[~sky]
    sun = (x - 0.16 * width) ** 2 + (y - 0.2 * height) ** 2 <= (0.1 * unit) ** 2
    img[sun] = [255, 215, 60]
    # House: a red wall, a brown roof (triangle) and a dark door.
    left, right, top, bottom = 0.56 * width, 0.86 * width, 0.42 * height, 0.8 * height
    roof_top = 0.22 * height
    wall = (x >= left) & (x <= right) & (y >= top) & (y <= bottom)
    mid, half = (left + right) / 2, (right - left) / 2 + 0.03 * width
    roof = (y >= roof_top) & (y < top) & (np.abs(x - mid) <= half * (y - roof_top) / (top - roof_top))
    door = (np.abs(x - mid) <= 0.035 * width) & (y >= bottom - 0.17 * height) & (y <= bottom)
    img[wall] = [200, 45, 40]
    img[roof] = [120, 70, 35]
    img[door] = [60, 35, 20]
    # Ball: a blue disk with a white stripe, lying on the grass.
    cx, cy, r = 0.3 * width, 0.8 * height, 0.11 * unit
    ball = (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2
    img[ball] = [40, 80, 210]
    img[ball & (np.abs(y - cy) <= 0.18 * r)] = [245, 245, 245]
    house = wall | roof
    boxes = {}
    for name, mask in (("ball", ball), ("house", house)):
        rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
        boxes[name] = [float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1)]
    return nd.array(np.rint(img), dtype="uint8", ctx=ctx or mx.cpu()), boxes
