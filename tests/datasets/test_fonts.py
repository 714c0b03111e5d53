"""Printed digits from Debian's font packages: the split by family, the rendering, the pictures."""

from __future__ import annotations

import re

import numpy as np
import pytest

from digits.datasets import fonts

from conftest import ROOT


def test_ci_installs_every_font_package():
    ci = (ROOT / ".ci" / "run").read_text()
    installed = set(re.findall(r"fonts-[a-z0-9-]+", ci))
    missing = set(fonts.PRINTED_PACKAGES + fonts.HANDWRITING_PACKAGES) - installed
    assert not missing, f".ci/run does not install {sorted(missing)}"


def test_split_rule_is_the_documented_hash():
    import hashlib

    for family in ("DejaVu Sans", "Liberation Serif", "TeX Gyre Heros", "x"):
        bucket = int(hashlib.sha256(family.encode()).hexdigest(), 16) % 10
        assert fonts.family_split(family) == ("train" if bucket < 6 else "validation" if bucket < 8 else "test")


def test_each_split_holds_families_and_no_family_is_in_two():
    by_split = {s: {f.family for f in fonts.split_fonts(s)} for s in (*fonts.SPLITS, fonts.HANDWRITING)}
    assert len(by_split["train"]) >= 40 and len(by_split["validation"]) >= 8 and len(by_split["test"]) >= 10
    assert len(by_split["handwriting"]) >= 8
    for a in by_split:
        for b in by_split:
            if a < b:
                assert not by_split[a] & by_split[b], (a, b)
    # Every weight of a family is on the same side; the test side holds bold faces too.
    assert any(f.bold for f in fonts.split_fonts("test")) and any(not f.bold for f in fonts.split_fonts("test"))
    assert not any(f.family in fonts.EXCLUDED_FAMILIES for s in fonts.SPLITS for f in fonts.split_fonts(s))


def test_handwriting_fonts_are_never_in_a_printed_split():
    printed = {f.path for s in fonts.SPLITS for f in fonts.split_fonts(s)}
    assert printed and not printed & {f.path for f in fonts.split_fonts(fonts.HANDWRITING)}


def test_unknown_split_is_an_error():
    with pytest.raises(ValueError, match="unknown split"):
        fonts.split_fonts("everything")


@pytest.mark.parametrize("height", [20, 60, 150])
def test_render_text_height_and_boxes(height):
    font = fonts.split_fonts("test")[0]
    ink, boxes = fonts.render_text(font, "4071", height)
    assert ink.dtype == np.float32 and ink.min() >= 0 and ink.max() <= 1
    assert len(boxes) == 4
    tallest = max(y1 - y0 for _, y0, _, y1 in boxes)
    assert abs(tallest - height) <= max(2, 0.05 * height)
    lefts = [b[0] for b in boxes]
    assert lefts == sorted(lefts) and boxes[-1][2] <= ink.shape[1]
    for x0, y0, x1, y1 in boxes:  # every box holds ink
        assert ink[y0:y1, x0:x1].max() > 0.5


def test_outline_is_hollow():
    font = next(f for f in fonts.split_fonts("test") if f.bold)
    solid, _ = fonts.render_text(font, "8", 120)
    hollow, _ = fonts.render_text(font, "8", 120, outline=4)
    assert hollow.sum() < 0.8 * solid.sum()
    h, w = hollow.shape
    assert hollow[h // 4 : 3 * h // 4, w // 2 - 1 : w // 2 + 2].min() < 0.1  # a gap inside the strokes


def test_printed_picture_polarity_and_boxes():
    rng = np.random.default_rng(0)
    font = fonts.split_fonts("test")[0]
    paper, boxes = fonts.printed_picture(font, "12", 80, rng)
    plate, _ = fonts.printed_picture(font, "12", 80, rng, plate=True)
    assert paper.dtype == np.uint8 and paper.shape[2] == 3 and len(boxes) == 2
    assert paper[0].mean() > 180 and plate[0].mean() < 120  # paper is light, a plate dark
    x0, y0, x1, y1 = boxes[0]
    assert paper[y0:y1, x0:x1].min() < 100  # dark print inside the first box
