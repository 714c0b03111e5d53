"""The "as people make them" set: each variant's fixed settings, measured from its pixels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from digits.evaluation import people_set as ps
from digits.evaluation.robustness import source_split, variant_rng

from conftest import mnist_dir

N = 12


@pytest.fixture(scope="module")
def source():
    return source_split("validation", mnist_dir())


@pytest.fixture(scope="module")
def built(source):
    return ps.build_people_set(*source, n_per_variant=N, seed=0)


def test_every_variant_is_built_reproducibly_and_independently(source, built):
    assert list(built) == list(ps.PEOPLE_VARIANTS)
    again = ps.build_people_set(*source, n_per_variant=N, seed=0)
    for name, samples in built.items():
        assert len(samples) == N and all(s.variant == name for s in samples)
        assert all(
            np.array_equal(a.image, b.image) and a.label == b.label for a, b in zip(samples, again[name], strict=True)
        )
        if name == "plate":
            assert all(1 <= len(s.label) <= 4 and s.label.isdigit() for s in samples)
        elif name == "house_numbers":
            assert all(2 <= len(s.label) <= 5 and s.label.isdigit() for s in samples)
        else:
            digits = 2 if name in ps.NUMBER_VARIANTS else 1
            assert all(len(s.label) == digits and s.label.isdigit() for s in samples)
    # One variant's samples do not depend on how many of it (or of another) are built.
    first = next(ps.iter_people("squared", *source, 3, variant_rng(0, "people/squared")))
    assert np.array_equal(first.image, built["squared"][0].image)
    other_seed = ps.build_people_set(*source, n_per_variant=2, seed=1)
    assert not np.array_equal(other_seed["squared"][0].image, built["squared"][0].image)


def test_canvas_edge_runs_off_each_edge_in_turn(built):
    for i, s in enumerate(built["canvas_edge"]):
        assert s.image.shape == (280, 280, 4) and (s.image[..., 3] == 255).all()
        assert s.params["source"] == "canvas" and s.params["edge"] == ps.EDGES[i % 4]
        assert 15 <= s.params["stroke_width"] <= 30
        ink = s.image[..., 0] < 128
        edge = {"top": ink[0], "bottom": ink[-1], "left": ink[:, 0], "right": ink[:, -1]}[s.params["edge"]]
        assert edge.any(), "a stroke runs off that edge"
        _, n = ndimage.label(ink, structure=np.ones((3, 3)))
        assert n >= 2  # two digits, side by side


def test_phone_light_has_every_kind_of_light_and_a_show_through(built, source):
    samples = ps.build_people_set(*source, n_per_variant=30, seed=0)["phone_light"]
    assert {s.params["light"] for s in samples} == {"shadow", "spot", "corners"}
    for s in samples:
        assert s.image.ndim == 3 and s.image.shape[2] == 3
        assert ps.SHOW_THROUGH[0] <= s.params["show_through"] <= ps.SHOW_THROUGH[1]
        p = s.params
        if p["light"] == "shadow":
            assert ps.SHADOW_DARKER[0] <= p["darker"] <= ps.SHADOW_DARKER[1]
        elif p["light"] == "spot":
            assert p["brighter"] <= ps.SPOT_BRIGHTER[1]
        else:
            assert ps.CORNERS_DARKER[0] <= p["darker"] <= ps.CORNERS_DARKER[1]


def test_broken_stroke_cuts_one_stroke(source):
    x, _ = source
    rng = np.random.default_rng(3)
    for digit in x[:40]:
        gap = float(rng.uniform(*ps.BROKEN_GAP))
        cut = ps.cut_stroke(digit, gap, rng)
        removed = (digit / 255.0 > 0.5) & (cut <= 0.0)
        assert removed.any()
        # Only near one point: the removed ink fits in a box of 8 px.
        ys, xs = np.nonzero(removed)
        assert np.ptp(ys) <= 8 and np.ptp(xs) <= 8


@pytest.mark.parametrize("name", ["squared", "ruled"])
def test_grid_lines_have_the_set_spacing_and_contrast(built, name):
    for s in built[name]:
        step, contrast = s.params["step"], s.params["line_contrast"]
        assert ps.GRID_STEP[0] <= step <= ps.GRID_STEP[1] and ps.GRID_CONTRAST[0] <= contrast <= ps.GRID_CONTRAST[1]
        x0, y0, x1, y1 = s.boxes[0]
        paper = s.image.astype(float).copy()
        paper[max(0, y0 - 2) : y1 + 2, max(0, x0 - 2) : x1 + 2] = np.nan  # away from the digit
        rows = np.nanmean(paper, axis=1)
        cols = np.nanmean(paper, axis=0)
        dark_rows = np.flatnonzero(rows < np.nanmax(rows) - 20)
        assert len(dark_rows) >= 300 // step - 1  # a line every `step` rows
        dark_cols = np.flatnonzero(cols < np.nanmax(cols) - 20)
        assert (len(dark_cols) >= 400 // step - 1) if name == "squared" else len(dark_cols) == 0


def test_frame_filling_digits_are_bold_and_fill_the_frame(built):
    samples = built["frame_filling"]
    assert {s.params["dark_ink"] for s in samples} == {True, False}
    for s in samples:
        x0, y0, x1, y1 = s.boxes[0]
        cover = (x1 - x0) * (y1 - y0) / s.image.size
        assert ps.FRAME_COVER[0] - 0.05 <= cover <= ps.FRAME_COVER[1] + 0.02


def test_two_tones_and_touching_pairs(built):
    for s in built["two_tones"]:
        (a0, _, a1, _), (b0, _, b1, _) = s.boxes
        assert a1 < b0  # apart
        levels = [255 - s.image[:, x0:x1].min() for x0, x1 in ((a0, a1), (b0, b1))]
        ratio = min(levels) / max(levels)
        assert ps.TWO_TONE_CONTRAST[0] - 0.05 <= ratio <= ps.TWO_TONE_CONTRAST[1] + 0.05
    for s in built["touching"]:
        (_, _, a1, _), (b0, _, _, _) = s.boxes
        assert a1 > b0  # the boxes overlap: the ink touches
        ink = s.image < 128
        assert ndimage.label(ink, structure=np.ones((3, 3)))[1] >= 1


def test_printed_variants_use_the_split_fonts_and_their_settings(source):
    from digits.datasets import fonts

    built = ps.build_people_set(*source, n_per_variant=9, seed=0, font_split="test", handwriting=True)
    test_fonts = {f"{f.family} {f.style}" for f in fonts.split_fonts("test")}
    handwriting = {f"{f.family} {f.style}" for f in fonts.split_fonts("handwriting")}
    printed = built["printed"]
    assert [s.params["style"] for s in printed[:3]] == list(ps.PRINTED_STYLES)
    for name in ("printed", "plate", "house_numbers"):
        for s in built[name]:
            assert s.params["font"] in test_fonts
            assert len(s.boxes) == len(s.label)
    for s in printed:
        assert ps.PRINTED_HEIGHT[0] <= s.params["height"] <= ps.PRINTED_HEIGHT[1]
        x0, y0, x1, y1 = s.boxes[0]
        grown = 2 * fonts.OUTLINE_WIDTH[1] if s.params["style"] == "outline" else 0.0  # the outline lies outside
        assert -3 <= (y1 - y0) - s.params["height"] <= max(3, (0.06 + grown) * s.params["height"])
    for s in built["plate"]:
        border = np.concatenate([s.image[0], s.image[-1]])
        assert border.mean() < 120  # a dark plate fills the picture
        x0, y0, x1, y1 = s.boxes[0]
        assert s.image[y0:y1, x0:x1].max() > 170  # light digits on it
    assert all(s.params["font"] in handwriting for s in built[ps.HANDWRITING_VARIANT])
    validation = ps.build_people_set(*source, n_per_variant=6, seed=0, font_split="validation")
    val_fonts = {f"{f.family} {f.style}" for f in fonts.split_fonts("validation")}
    assert all(s.params["font"] in val_fonts for s in validation["printed"])
    with pytest.raises(ValueError, match="font_split"):
        next(ps.iter_people("printed", *source, 1, np.random.default_rng(0), font_split="train"))
