"""The robustness set: realistic renderings of real MNIST digits, each measured from its pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from digits.evaluation import robustness as rob
from digits.reading.ink import to_grayscale
from digits.reading.normalize import stroke_width

from conftest import mnist_dir

N = 5  # samples per single-digit variant
N_STRINGS = 2  # strings per length
SEED = 0

SHAPES = {  # variant -> (fixed shape or None, channels or None for grey)
    "canvas": ((280, 280), 4),
    "corner": ((300, 400), None),
    "photo": (None, 3),
    "inverted": ((300, 300), 3),
    "transparent": ((280, 280), 4),
    "colour": (None, 3),
    "rotated": ((200, 200), None),
    "strings": (None, None),
}


@pytest.fixture(scope="module")
def source():
    return rob.source_split("validation", mnist_dir())


@pytest.fixture(scope="module")
def built(source):
    return rob.build_set(*source, n_per_variant=N, n_strings_per_length=N_STRINGS, seed=SEED)


def _border(a: np.ndarray) -> np.ndarray:
    """The outermost pixels of an image, (K,) or (K, C)."""
    return np.concatenate([a[0], a[-1], a[1:-1, 0], a[1:-1, -1]])


def _ink_mask(s: rob.Sample) -> np.ndarray:
    """Pixels that differ from the background, for the variants without noise."""
    a = s.image.astype(np.int16)
    if s.variant == "transparent":
        return a[..., 3] > 0
    paper = _border(a)[0]
    diff = np.abs(a - paper)
    return (diff.max(axis=-1) if diff.ndim == 3 else diff) > 0


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def test_every_variant_built_with_the_right_counts(built):
    assert tuple(built) == rob.ALL_VARIANTS == (*rob.VARIANTS, "strings")
    for name in rob.VARIANTS:
        assert len(built[name]) == N
    assert len(built["strings"]) == N_STRINGS * len(rob.STRING_LENGTHS)


@pytest.mark.parametrize("name", rob.ALL_VARIANTS)
def test_shapes_and_dtypes(built, name):
    shape, channels = SHAPES[name]
    for s in built[name]:
        assert s.variant == name and s.image.dtype == np.uint8
        assert s.image.ndim == (2 if channels is None else 3)
        if channels is not None:
            assert s.image.shape[2] == channels
        if shape is not None:
            assert s.image.shape[:2] == shape
        if name in ("photo", "colour"):
            assert all(200 <= side <= 320 for side in s.image.shape[:2])
        # A user could upload it: it survives a PNG round trip and the app's grayscale step.
        assert to_grayscale(Image.fromarray(s.image)).shape == s.image.shape[:2]


def test_labels_match_the_source_digits(built, source):
    _, labels = source
    for samples in built.values():
        for s in samples:
            assert s.label == "".join(str(labels[i]) for i in s.source)
            assert len(s.boxes) == len(s.label)


def test_same_seed_same_set_other_seed_other_set(built, source):
    again = rob.build_set(*source, n_per_variant=N, n_strings_per_length=N_STRINGS, seed=SEED)
    other = rob.build_set(*source, n_per_variant=N, n_strings_per_length=N_STRINGS, seed=SEED + 1)
    for name in rob.ALL_VARIANTS:
        for a, b in zip(built[name], again[name], strict=True):
            assert np.array_equal(a.image, b.image) and a.label == b.label and a.boxes == b.boxes
        assert not any(np.array_equal(a.image, c.image) for a, c in zip(built[name], other[name], strict=True))


def test_variants_are_independent_of_each_others_sizes(built, source):
    """A variant's samples depend on neither how many of it nor how many of the others are built."""
    x, y = source
    fewer = rob.build_set(x, y, n_per_variant=2, n_strings_per_length=1, seed=SEED)
    for name in rob.ALL_VARIANTS:
        ref = built[name] if name != "strings" else built[name][::N_STRINGS]  # first of each length
        for a, b in zip(ref, fewer[name], strict=False):
            assert np.array_equal(a.image, b.image) and a.label == b.label
    alone = rob.build_variant("photo", x, y, 3, rob.variant_rng(SEED, "photo"))
    assert all(np.array_equal(a.image, b.image) for a, b in zip(alone, built["photo"][:3], strict=True))


@pytest.mark.parametrize("name", ["canvas", "corner", "inverted", "transparent", "colour", "rotated", "strings"])
def test_boxes_are_the_ink(built, name):
    """Recorded boxes are exactly the visible ink (for the variants without noise)."""
    for s in built[name]:
        mask = _ink_mask(s)
        h, w = mask.shape
        union = tuple(f(b[i] for b in s.boxes) for i, f in enumerate((min, min, max, max)))
        assert _box(mask) == union
        for x0, y0, x1, y1 in s.boxes:
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
            assert _box(mask[y0:y1, x0:x1]) == (0, 0, x1 - x0, y1 - y0)


def test_canvas_is_opaque_black_on_white_with_the_given_stroke_width(built):
    for s in built["canvas"]:
        rgb, alpha = s.image[..., :3], s.image[..., 3]
        assert (alpha == 255).all() and (_border(rgb) == 255).all() and rgb.min() == 0
        assert (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all()
        assert 15 <= s.params["stroke_width"] <= 30
        # Measured from the pixels: the median stroke width, 2x the distance from skeleton to edge.
        assert 14 <= stroke_width(rgb[..., 0] < 128) <= 32
        x0, y0, x1, y1 = s.boxes[0]
        assert max(x1 - x0, y1 - y0) >= 120  # drawn "as big as the box"


def test_corner_digits_are_40_to_80_px_tall_anywhere(built):
    for s in built["corner"]:
        mask = s.image < 255
        x0, y0, x1, y1 = _box(mask)
        assert 40 <= y1 - y0 <= 80 and (x0, y0, x1, y1) == s.boxes[0]
        assert s.image.max() == 255 and s.image.min() <= 60  # dark ink on white
    # Anywhere: over more samples the digits spread over the page.
    x, y = rob.source_split("validation", mnist_dir())
    many = rob.build_variant("corner", x, y, 40, rob.variant_rng(3, "corner"))
    centres = np.array([((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for s in many for b in s.boxes])
    assert np.ptp(centres[:, 0]) > 200 and np.ptp(centres[:, 1]) > 120


def test_photo_has_lighting_gradient_noise_blur_and_jpeg(built):
    for s in built["photo"]:
        assert 0.30 <= s.params["gradient"] <= 0.60
        grey = s.image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
        h, w = grey.shape
        # Paper: everything well away from the digit. A plane fitted to it gives the lighting.
        paper = np.ones((h, w), bool)
        x0, y0, x1, y1 = s.boxes[0]
        paper[max(0, y0 - 6) : y1 + 6, max(0, x0 - 6) : x1 + 6] = False
        yy, xx = np.nonzero(paper)
        design = np.column_stack([np.ones(len(xx)), xx, yy])
        coef, *_ = np.linalg.lstsq(design, grey[paper], rcond=None)
        corners = np.array([[1, 0, 0], [1, w - 1, 0], [1, 0, h - 1], [1, w - 1, h - 1]]) @ coef
        drop = 1 - corners.min() / corners.max()
        assert 0.25 <= drop <= 0.65, drop
        # Noise survives blur and JPEG: paper is not smooth around the plane.
        residual = grey[paper] - design @ coef
        assert 0.5 < residual.std() < 8
        # The ink is dark against the paper next to it.
        assert grey[y0:y1, x0:x1].min() < 0.6 * grey[y0:y1, x0:x1].max()


def test_inverted_is_light_on_black_and_off_centre(built):
    for s in built["inverted"]:
        grey = s.image[..., 0]
        assert (s.image[..., 0] == s.image[..., 2]).all()
        assert np.median(_border(grey)) <= 30 and grey.max() >= 225  # the digit may touch the edge
        x0, y0, x1, y1 = s.boxes[0]
        assert 60 <= y1 - y0 <= 150
        assert np.hypot((x0 + x1) / 2 - 150, (y0 + y1) / 2 - 150) >= 20


def test_transparent_is_black_ink_on_nothing(built):
    for s in built["transparent"]:
        rgb, alpha = s.image[..., :3], s.image[..., 3]
        assert (rgb == 0).all() and alpha.max() == 255
        assert (_border(alpha) == 0).all()
        assert np.mean(alpha == 0) > 0.5  # mostly background
        # The app reads it as black on white.
        grey = to_grayscale(s.image)
        assert grey[0, 0] == 1.0 and grey.min() == 0.0


def _measured_contrast(image: np.ndarray) -> float:
    y = image.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255
    paper = float(np.median(_border(y)))
    ink = y.min() if abs(y.min() - paper) > abs(y.max() - paper) else y.max()  # darkest or lightest
    return abs(paper - ink)


def test_colour_contrast_is_between_030_and_060_both_polarities(built):
    for s in built["colour"]:
        c = _measured_contrast(s.image)
        assert 0.30 <= c <= 0.60 and c == pytest.approx(s.params["contrast"], abs=1e-9)
        assert len({tuple(p) for p in _border(s.image)}) == 1  # plain paper
    # Over many draws: both polarities, many hues, contrast across the range.
    rng = np.random.default_rng(0)
    pairs = [rob.colour_pair(rng) for _ in range(300)]
    contrasts = np.array([c for *_, c in pairs])
    assert contrasts.min() >= 0.30 and contrasts.max() <= 0.60 and np.ptp(contrasts) > 0.25
    dark = [float(rob.luminance(ink)) < float(rob.luminance(paper)) for paper, ink, _ in pairs]
    assert 0.3 < np.mean(dark) < 0.7
    paper_rgb = np.array([p for p, _, _ in pairs], dtype=float)
    assert np.ptp(paper_rgb, axis=0).min() > 150  # hues all round, not just greys


def test_rotated_angles_within_15_degrees(built, source):
    for s in built["rotated"]:
        assert -15 <= s.params["angle"] <= 15
        assert _border(s.image).min() == 255 and s.image.min() <= 50
    x, y = source
    angles = [s.params["angle"] for s in rob.build_variant("rotated", x, y, 30, rob.variant_rng(0, "rotated"))]
    assert min(angles) < -5 and max(angles) > 5


def test_rotation_really_turns_the_digit(source):
    """The same digit and rng state, rotated: its principal axis turns by the recorded angle."""
    x, y = source
    k = int(np.flatnonzero(y == 1)[0])  # a "1" has a clear principal axis
    ones = rob.build_variant("rotated", x[k : k + 1], y[k : k + 1], 12, np.random.default_rng(5))
    upright = rob.render_digit(rob.crop_digit(x[k]), 140)

    def axis_angle(mask):
        yy, xx = np.nonzero(mask)
        cov = np.cov(np.vstack([xx - xx.mean(), -(yy - yy.mean())]))
        vx, vy = np.linalg.eigh(cov)[1][:, -1]
        return np.degrees(np.arctan2(vy, vx)) % 180

    base = axis_angle(upright > 0.5)
    for s in ones:
        turned = (axis_angle(s.image < 128) - base + 90) % 180 - 90
        assert turned == pytest.approx(s.params["angle"], abs=3)


def test_strings_boxes_gaps_and_no_touching(built):
    lengths = [len(s.label) for s in built["strings"]]
    assert sorted(set(lengths)) == [2, 3, 4, 5, 6] and all(lengths.count(k) == N_STRINGS for k in set(lengths))
    for s in built["strings"]:
        assert len(s.boxes) == len(s.label) == len(s.source)
        xs = [b[0] for b in s.boxes]
        assert xs == sorted(xs)
        gaps = [b[0] - a[2] for a, b in zip(s.boxes, s.boxes[1:], strict=False)]
        assert all(2 <= g <= 12 for g in gaps), gaps
        heights = [b[3] - b[1] for b in s.boxes]
        assert max(heights) <= 1.2 * min(heights)  # similar heights: +-8% jitter
        # No touching, measured on the image: every 8-connected piece of ink lies in one box, and
        # each digit's ink grown by 1 px misses every other digit's ink.
        ink = s.image < 255
        pieces, n = ndimage.label(ink, structure=np.ones((3, 3)))
        owner = np.zeros(ink.shape, int)
        for i, (x0, y0, x1, y1) in enumerate(s.boxes, start=1):
            owner[y0:y1, x0:x1] = i
        for p in range(1, n + 1):
            assert len(set(owner[pieces == p].tolist()) - {0}) == 1
        assert not (ink & (owner == 0)).any()
        for i in range(1, len(s.boxes) + 1):
            grown = ndimage.binary_dilation(ink & (owner == i), structure=np.ones((3, 3)))
            assert not (grown & ink & (owner != i) & (owner != 0)).any()


def test_strings_of_chosen_lengths(source):
    x, y = source
    out = rob.build_strings(x, y, 3, np.random.default_rng(0), lengths=[2, 6])
    assert [len(s.label) for s in out] == [2, 2, 2, 6, 6, 6]


def test_touching_detector():
    a = np.zeros((5, 9), np.float32)
    b = a.copy()
    a[1:4, 1:4] = 1
    b[1:4, 5:8] = 1  # one empty column between them: not touching
    assert not rob._touching([a, b])
    b[2, 4] = 0.5  # now diagonal/side neighbours
    assert rob._touching([a, b])


def test_every_source_digit_used_once_before_any_repeats(source):
    x, y = source
    samples = rob.build_variant("corner", x[:7], y[:7], 14, np.random.default_rng(0))
    first, second = [s.source[0] for s in samples[:7]], [s.source[0] for s in samples[7:]]
    assert sorted(first) == list(range(7)) and first == second


def test_bad_arguments(source):
    x, y = source
    with pytest.raises(ValueError, match="unknown variant"):
        rob.build_variant("sideways", x, y, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="validation"):
        rob.source_split("train", mnist_dir())
    with pytest.raises(ValueError):
        rob.build_variant("corner", x, y[:-1], 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="blank"):
        rob.crop_digit(np.zeros((28, 28), np.uint8))


def test_source_split_is_validation_or_test(source, mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    x, y = source
    assert np.array_equal(x, x_train[-5000:]) and np.array_equal(y, y_train[-5000:])
    xt, yt = rob.source_split("test", mnist_dir())
    assert np.array_equal(xt, x_test) and np.array_equal(yt, y_test)


def test_save_examples(built, tmp_path):
    paths = rob.save_examples(built, tmp_path, per_variant=2)
    assert len(paths) == 2 * len(rob.ALL_VARIANTS)
    for p in paths:
        assert p.exists()
    im = Image.open(next(p for p in paths if p.name.startswith("transparent")))
    assert im.mode == "RGBA"
