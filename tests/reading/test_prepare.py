"""The whole reading pipeline on real MNIST digits, with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import ndimage

from digits.datasets import outliers
from digits.reading.prepare import prepare, prepare_batch, preprocess

from helpers import corr, on_paper


def test_mnist_digits_come_back_as_mnist(mnist_test):
    """Real test digits, printed dark on white, come back close to themselves, centred like MNIST."""
    x, _ = mnist_test
    coms, sims = [], []
    for digit in x[:300]:
        out = preprocess(255 - digit)
        coms.append(ndimage.center_of_mass(out.image))
        sims.append(corr(out.image, digit))
    coms = np.array(coms)
    assert np.all(np.abs(coms - 14.0) <= 0.5 + 1e-6)
    assert np.allclose(coms.mean(axis=0), 14.0, atol=0.1)
    assert np.median(sims) > 0.95


@pytest.mark.parametrize("at", [(0.15, 0.1), (0.85, 0.9), (0.2, 0.8)])
def test_small_off_centre_digit_is_centred(mnist_test, at):
    x, _ = mnist_test
    page = on_paper(x[0], height=40, canvas=(300, 400), at=at)
    out = preprocess(page)
    cy, cx = ndimage.center_of_mass(out.image)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    # It fills the 20x20 box, like MNIST: height 20 (digits are taller than wide).
    rows = np.flatnonzero(out.image.max(axis=1) > 0.05)
    assert 19 <= rows[-1] - rows[0] + 1 <= 21
    assert corr(out.image, preprocess(255 - x[0]).image) > 0.85
    # The box is reported in input pixels around where the digit was drawn.
    x0, y0, x1, y1 = out.box
    assert abs((y0 + y1) / 2 - at[0] * 300) < 25 and abs((x0 + x1) / 2 - at[1] * 400) < 25


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(0, 999),
    height=st.integers(20, 250),
    row=st.floats(0.1, 0.9),
    col=st.floats(0.1, 0.9),
)
def test_centre_of_mass_property(mnist_test, index, height, row, col):
    x, _ = mnist_test
    out = preprocess(on_paper(x[index], height=height, canvas=(300, 300), at=(row, col)))
    cy, cx = ndimage.center_of_mass(out.image)
    assert abs(cy - 14) <= 0.5 + 1e-6 and abs(cx - 14) <= 0.5 + 1e-6
    assert out.image.shape == (28, 28) and out.image.dtype == np.float32
    assert out.image.min() >= 0.0 and out.image.max() <= 1.0


def test_prepare_batch_makes_network_inputs():
    pics = np.concatenate([outliers.strokes_and_shapes(2, 0, size=56), np.full((1, 56, 56), 255, np.uint8)])
    x, kept = prepare_batch(pics)
    assert kept.tolist() == [True, True, False]  # a blank page is "nothing to read"
    assert x.shape == (2, 28, 28) and x.dtype == np.float32 and x.min() >= 0 and x.max() <= 1


@pytest.mark.parametrize("pen", [20, 8])  # 8 px: thinner than MNIST's strokes, so re-drawn
def test_canvas_digit_at_the_edge_is_also_read_as_running_off_it(pen):
    """A 7 from the canvas's top edge: besides its usual normalisation (its height fit to 20
    px), the hypothesis that it runs on past the edge keeps EDGE_EXTEND of its height blank above it,
    so it is drawn smaller, whatever the pen; only on the canvas, and only for the digit that touches
    the edge."""
    from digits.reading.prepare import EDGE_EXTEND

    page = np.full((280, 280), 255, np.uint8)
    page[0:pen, 20:100] = 0  # a 7 from the top edge: its bar on the edge,
    for row in range(200):  # and its stem down to the left
        col = 100 - pen - round(row * 60 / 200)
        page[row, col : col + pen] = 0
    page[60:200, 180 : 180 + pen] = 0  # a 1 clear of every edge
    prepared = prepare(page, source="canvas")
    assert len(prepared.digits) == 2 and set(prepared.extended) == {0}
    rows = [np.flatnonzero(d.image.max(axis=1) > 0.5) for d in (prepared.digits[0], prepared.extended[0])]
    cut, extended = (r[-1] - r[0] + 1 for r in rows)
    assert cut >= 19 and extended <= cut - 3
    assert extended == pytest.approx(cut / (1 + EDGE_EXTEND), abs=1.5)
    assert not prepare(page).extended  # an upload: a paper's edge, no such hypothesis


def test_edge_hypothesis_only_where_it_changes_the_scale():
    """A dash wider than tall, cut by the top edge: blank above it leaves its width the longer
    side, so its 20x20 fit would not change and no second reading is made; cut by the left edge,
    the blank lengthens it and the hypothesis is there."""
    page = np.full((280, 280), 255, np.uint8)
    page[0:30, 100:220] = 0
    assert not prepare(page, source="canvas").extended
    page = np.full((280, 280), 255, np.uint8)
    page[120:150, 0:120] = 0
    assert set(prepare(page, source="canvas").extended) == {0}
