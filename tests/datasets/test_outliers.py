"""Generated non-digits: shapes, dtypes, reproducibility, fonts."""

from __future__ import annotations

import string

import numpy as np
import pytest

from digits.datasets import outliers
from digits.datasets.mnist import DataError
from digits.evaluation.ood_sets import photo_crops

# name -> call(n, seed) for every generator that needs no data set
GENERATORS = {
    "uniform_noise": (lambda n, seed: outliers.uniform_noise(n, seed, size=40), (40, 40)),
    "gaussian_noise": (lambda n, seed: outliers.gaussian_noise(n, seed, size=40), (40, 40)),
    "blobs": (lambda n, seed: outliers.blobs(n, seed, size=56), (56, 56)),
    "strokes_and_shapes": (lambda n, seed: outliers.strokes_and_shapes(n, seed, size=64), (64, 64)),
    "scribbles": (lambda n, seed: outliers.scribbles(n, seed, size=64), (64, 64)),
    "photo_crops": (lambda n, seed: photo_crops(n, seed, size=56), (56, 56, 3)),
    "random_letters": (lambda n, seed: outliers.random_letters(n, seed, size=48)[0], (48, 48)),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_give_uint8_pictures_reproducibly(name):
    make, shape = GENERATORS[name]
    a = make(3, 7)
    assert a.shape == (3, *shape) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, make(3, np.random.default_rng(7)))  # a seed or a Generator
    assert not np.array_equal(a, make(3, 8))
    assert make(0, 7).shape == (0, *shape)
    assert all(np.ptp(pic) > 60 for pic in a)  # something is there in every picture


@pytest.mark.parametrize("name", ["blobs", "strokes_and_shapes", "scribbles"])
def test_drawings_are_dark_ink_on_white_by_default(name):
    make = getattr(outliers, name)
    dark, light = make(4, 1, size=48), make(4, 1, size=48, dark_ink=False)
    assert [np.bincount(pic.ravel()).argmax() for pic in dark] == [255] * 4  # the paper is white
    assert [np.bincount(pic.ravel()).argmax() for pic in light] == [0] * 4
    np.testing.assert_array_equal(dark, 255 - light)  # same drawing, other polarity


def test_generators_reject_bad_sizes():
    with pytest.raises(ValueError):
        outliers.uniform_noise(2, 0, size=20)
    with pytest.raises(ValueError):
        outliers.blobs(-1, 0)
    with pytest.raises(ValueError):
        outliers.strokes_and_shapes(1, 0, parts=(0, 2))


def test_cut_up_digits(mnist_test):
    digits = mnist_test[0][:200]
    a = outliers.cut_up_digits(digits, 6, 3, size=56)
    assert a.shape == (6, 56, 56) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, outliers.cut_up_digits(digits, 6, np.random.default_rng(3), size=56))
    assert all(np.count_nonzero(pic < 128) >= 20 for pic in a)  # dark ink on white, not blank
    light = outliers.cut_up_digits(digits, 2, 3, size=28, dark_ink=False)
    assert light.shape == (2, 28, 28) and (np.median(light.reshape(2, -1), axis=1) == 0).all()
    with pytest.raises(ValueError, match="blank"):
        outliers.cut_up_digits(np.zeros((3, 28, 28), np.uint8), 1, 0)
    with pytest.raises(ValueError):
        outliers.cut_up_digits(np.zeros((3, 32, 32), np.uint8), 1, 0)


def test_letter_sets():
    assert set(outliers.DIGIT_LIKE_LETTERS).isdisjoint(outliers.OTHER_LETTERS)
    assert sorted(outliers.DIGIT_LIKE_LETTERS + outliers.OTHER_LETTERS) == sorted(string.ascii_letters)
    assert len(set(outliers.OTHER_LETTERS)) == 52 - 9


@pytest.mark.parametrize("family", ["dejavu", "liberation"])
def test_font_files_finds_both_families(family):
    files = outliers.font_files(family)
    prefix = outliers.FONT_FAMILIES[family][0]
    assert len(files) >= 8
    assert all(f.suffix == ".ttf" and f.name.startswith(prefix) and f.is_file() for f in files)
    assert not any("Math" in f.name for f in files)
    assert set(files).isdisjoint(outliers.font_files("liberation" if family == "dejavu" else "dejavu"))


def test_font_files_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown"):
        outliers.font_files("comic")
    with pytest.raises(DataError, match="apt-get install fonts-liberation"):
        outliers.font_files("liberation", root=tmp_path)


@pytest.mark.parametrize("family", ["dejavu", "liberation"])
def test_render_letters_draws_every_letter(family):
    font = outliers.font_files(family)[0]
    letters = "AbXy" + outliers.DIGIT_LIKE_LETTERS[:2]
    pics = outliers.render_letters(font, letters, 48, 0)
    assert pics.shape == (len(letters), 48, 48) and pics.dtype == np.uint8
    for pic in pics:
        ink = pic < 128
        assert 15 < ink.sum() < 0.6 * ink.size  # drawn, dark on white, not a filled box
        rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) >= 0.35 * 48  # at the intended scale
    np.testing.assert_array_equal(pics, outliers.render_letters(str(font), letters, 48, np.random.default_rng(0)))
    light = outliers.render_letters(font, "W", 32, 1, dark_ink=False)
    assert np.median(light) == 0 and light.max() > 200
    with pytest.raises(ValueError):
        outliers.render_letters(font, "A", 16, 0)
    with pytest.raises(ValueError, match="nothing"):
        outliers.render_letters(font, " ", 48, 0)


def test_random_letters_labels_name_the_font():
    pics, labels = outliers.random_letters(5, 0, family="liberation", letters="xy", size=32)
    assert pics.shape == (5, 32, 32) and len(labels) == 5
    assert all(lab[0] in "xy" and lab.endswith(".ttf") and "Liberation" in lab for lab in labels)
