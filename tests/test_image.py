"""d2l.image: show_images and the generated sample picture (notebook 11.1)."""
import numpy as np
import pytest
from mxnet import nd

import d2l


@pytest.fixture(autouse=True)
def close_figures():
    yield
    d2l.plt.close("all")


def test_show_images_fills_the_grid_row_by_row():
    imgs = [np.full((4, 5, 3), 10 * k, np.uint8) for k in range(5)]
    axes = d2l.show_images(imgs, 2, 3, scale=1.5)
    assert axes.shape == (2, 3)
    assert tuple(axes[0][0].figure.get_size_inches()) == (4.5, 3.0)
    drawn = [ax.images[0].get_array()[0, 0, 0] if ax.images else None for ax in axes.flat]
    assert drawn == [0, 10, 20, 30, 40, None]  # the sixth cell stays blank
    assert not any(ax.axison for ax in axes.flat)


def test_show_images_accepts_ndarrays_floats_and_gray():
    img255 = nd.full((3, 3, 3), 200.0)            # float pixels on the 0-255 scale
    img01 = nd.full((3, 3, 3), 0.5)               # float pixels in [0, 1]
    gray = np.eye(3, dtype=np.float32)
    axes = d2l.show_images([img255, img01, gray], 1, 3)
    assert axes.shape == (1, 3)
    first = axes[0][0].images[0].get_array()
    assert first.dtype == np.uint8 and first[0, 0, 0] == 200
    assert axes[0][1].images[0].get_array()[0, 0, 0] == pytest.approx(0.5)
    assert axes[0][2].images[0].get_cmap().name == "gray"


@pytest.mark.parametrize("rows, cols", [(0, 2), (1, 1)])
def test_show_images_rejects_bad_grids(rows, cols):
    with pytest.raises(ValueError):
        d2l.show_images([np.zeros((2, 2, 3))] * 2, rows, cols)
    with pytest.raises(ValueError, match="shape"):
        d2l.show_images([np.zeros((2, 2, 5))], 1, 1)


def test_sample_image_is_deterministic_with_boxes_on_the_objects():
    img, boxes = d2l.make_sample_image()
    again, _ = d2l.make_sample_image()
    assert img.shape == (240, 320, 3) and img.dtype == np.uint8
    assert (img == again).asnumpy().all()
    assert set(boxes) == {"ball", "house"}
    pixels = img.asnumpy().astype(int)
    for name, (x0, y0, x1, y1) in boxes.items():
        assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 240, name
    # the ball is blue at its centre top, the house wall red above the door
    bx0, by0, bx1, by1 = boxes["ball"]
    r, g, b = pixels[int(by0) + 3, int((bx0 + bx1) / 2)]
    assert b > 150 and r < 100
    hx0, hy0, hx1, hy1 = boxes["house"]
    r, g, b = pixels[int(hy1) - 45, int(hx0) + 10]
    assert r > 150 and g < 100
    # boxes are tight: the row just outside the ball box has no ball pixels
    assert not (pixels[int(by1), int(bx0):int(bx1), 2] == 210).any()


def test_sample_image_size_and_context():
    img, boxes = d2l.make_sample_image(64, 48, ctx=d2l.try_gpu())
    assert img.shape == (64, 48, 3) and img.context == d2l.try_gpu()
    assert boxes["house"][2] <= 48 and boxes["ball"][3] <= 64
    with pytest.raises(ValueError, match="16"):
        d2l.make_sample_image(8, 100)
