"""Ink and paper: polarity, transparency, and pictures with nothing to read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digits.reading.ink import to_grayscale
from digits.reading.prepare import preprocess

from helpers import corr, on_paper


def test_polarity_light_on_dark_equals_dark_on_light(mnist_test):
    x, _ = mnist_test
    page = on_paper(x[3], height=120)
    dark_on_light = preprocess(page)
    light_on_dark = preprocess(255 - page)
    assert corr(dark_on_light.image, light_on_dark.image) > 0.99
    assert corr(dark_on_light.steps["grayscale"], light_on_dark.steps["grayscale"]) > 0.99


@pytest.mark.parametrize(
    "picture",
    [
        np.full((280, 280), 255, np.uint8),
        np.zeros((280, 280), np.uint8),
        np.full((50, 70), 128, np.uint8),
        np.zeros((280, 280, 4), np.uint8),  # an untouched transparent canvas
        np.random.default_rng(0).integers(250, 256, (200, 200)).astype(np.uint8),  # paper grain only
    ],
    ids=["white", "black", "grey", "transparent", "faint-noise"],
)
def test_blank_is_nothing_to_read(picture):
    assert preprocess(picture) is None


@pytest.mark.parametrize(
    "ink, paper",
    [((0, 0, 255), (0, 0, 0)), ((255, 255, 0), (255, 255, 255)), ((255, 0, 0), (0, 160, 0))],
    ids=["blue-on-black", "yellow-on-white", "red-on-green"],
)
def test_saturated_colour_as_bright_as_its_background(classifier, mnist_test, ink, paper):
    """A paint drawing in a pure colour about as bright as its background: its luminance contrast
    (0.11, 0.11, 0.05) is under MIN_CONTRAST, and it was read as blank; a colour channel tells them
    apart."""
    from digits.network.recognize import recognize

    page = on_paper(first_of(mnist_test, 5), height=200, canvas=(300, 300)) / 255.0  # 1 = paper
    rgb = page[..., None] * np.array(paper, np.float32) + (1 - page[..., None]) * np.array(ink, np.float32)
    picture = Image.fromarray(rgb.astype(np.uint8))
    assert np.ptp(to_grayscale(picture, colour=False)) < 0.12  # no luminance contrast to speak of
    result = recognize(picture, classifier)
    assert result.number == "5" and result.whole.reading.is_digit


def test_alpha_composited(mnist_test):
    """Black ink on a fully transparent background reads like black on white."""
    x, _ = mnist_test
    page = on_paper(x[7], height=150)
    rgba = np.zeros((*page.shape, 4), np.uint8)
    rgba[..., 3] = 255 - page  # ink opaque, paper transparent; colour channels black everywhere
    assert corr(preprocess(rgba).image, preprocess(page).image) > 0.99
    gray = to_grayscale(Image.fromarray(rgba, "RGBA"))
    assert gray[0, 0] == pytest.approx(1.0)  # transparent paper became white, behind dark ink


@pytest.mark.parametrize("layout", ["margin", "rotated", "rotated-expanded"])
def test_page_with_transparent_margins_reads_as_the_page(classifier, mnist_test, layout):
    """A page saved with transparent margins (padding round a screenshot) or corners (a photo
    rotated in an editor): the transparent pixels are behind the page, so they take the paper's
    shade. They had taken the shade opposite the opaque pixels' mean (the paper's), framed the page
    in black and read "0", not a digit."""
    from digits.network.recognize import recognize

    x, y = mnist_test
    i = int(np.flatnonzero(y == 9)[0])
    page = Image.fromarray(on_paper(x[i], height=150, canvas=(200, 200))).convert("RGBA")
    if layout == "margin":
        picture = Image.new("RGBA", (260, 260), (0, 0, 0, 0))
        picture.paste(page, (30, 30))
    else:
        picture = page.rotate(8, expand=layout == "rotated-expanded", resample=Image.BICUBIC)
    assert np.asarray(picture)[..., 3].min() == 0  # some of it is transparent
    result = recognize(picture, classifier)
    assert result.number == "9" and result.whole.reading.is_digit
    gray = to_grayscale(picture)
    assert gray[0, 0] > 0.9  # the transparent corner is paper, not a black frame


@pytest.mark.parametrize("desk", ["all-round", "bottom"])
@pytest.mark.parametrize("label", [5, 6])
def test_digit_on_a_sheet_lying_on_a_desk(classifier, mnist_test, desk, label):
    """An uncropped phone photo: a sheet of paper on a darker desk that fills the picture's border
    (all round it, or along its bottom quarter and more). The border is desk, not paper, so it had
    said "light ink": the sheet became one block of ink with the digit as a hole, read "0", not a
    digit. The sheet is found (a large convex light piece with thin dark strokes inside) and is the
    paper."""
    from digits.network.recognize import recognize
    from digits.reading.ink import paper_sheet

    x, y = mnist_test
    page = on_paper(x[int(np.flatnonzero(y == label)[0])], height=140, canvas=(300, 300)) / 255.0
    rng = np.random.default_rng(label)
    picture = 0.35 + rng.normal(0, 0.015, (360, 360))  # desk
    if desk == "all-round":
        picture[30:330, 30:330] = 0.94 * page
    else:
        picture[:270, :] = 0.94 * np.pad(page, ((0, 0), (30, 30)), constant_values=1.0)[30:300]
    picture = (np.clip(picture, 0, 1) * 255).astype(np.uint8)
    assert paper_sheet(picture / 255.0) is not None
    result = recognize(picture, classifier)
    assert result.number == str(label) and result.whole.reading.is_digit


@pytest.mark.parametrize("dark", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_frame_filling_bold_zero_keeps_its_polarity(classifier, dark):
    """A tightly cropped bold 0 whose ink covers most of the picture (61% here): the border, not
    the majority of pixels, says which side is paper, so the ring is the digit and not its hole."""
    from PIL import ImageDraw

    from digits.network.recognize import recognize
    from digits.reading.ink import dark_ink

    img = Image.new("L", (70, 100), 255)
    ImageDraw.Draw(img).ellipse((2, 2, 67, 97), outline=0, width=24)  # stroke 24% of the height
    page = np.asarray(img) if dark else 255 - np.asarray(img)
    assert ((page < 128) == dark).mean() > 0.5  # the ink is the majority
    assert dark_ink(page / 255.0) is dark
    reading = recognize(page, classifier).whole.reading
    assert reading.label == 0


@pytest.mark.parametrize("width", [24, 30, 34, 37, 38])
@pytest.mark.parametrize("shape", ["0", "8"])
def test_bold_light_digit_on_dark_is_not_a_sheet(shape, width):
    """A bold light digit on a dark ground is a large light piece that nearly fills its convex hull
    too, with dark inside (its counters, closed up as the pen gets broader): not a sheet of paper,
    whose dark inside is thin strokes and whose outline is straight."""
    from PIL import ImageDraw

    from digits.reading.ink import paper_sheet

    img = Image.new("L", (80, 110), 0)
    draw = ImageDraw.Draw(img)
    if shape == "0":
        draw.ellipse((4, 4, 75, 105), outline=255, width=width)
    else:
        draw.ellipse((12, 4, 67, 56), outline=255, width=width // 2)
        draw.ellipse((6, 48, 73, 105), outline=255, width=width // 2)
    page = np.asarray(img) / 255.0
    assert paper_sheet(page) is None


@pytest.mark.parametrize("counter", [30, 38])
def test_very_bold_light_zero_with_a_slit_counter_is_read(classifier, counter):
    """A fat-brush white 0 on black whose counter is a narrow slit fills its convex hull as a page
    does (0.99), and the slit passes for a pen stroke: it had been taken for a sheet of paper with
    a "1" on it (an independent review). Paper is a polygon of a few straight sides; a 0 is round."""
    from PIL import ImageDraw, ImageFilter

    from digits.network.recognize import recognize
    from digits.reading.ink import paper_sheet

    img = Image.new("L", (300, 380), 0)
    draw = ImageDraw.Draw(img)
    draw.ellipse([50, 40, 250, 340], fill=255)
    draw.ellipse([150 - counter // 2, 190 - 90, 150 + counter // 2, 190 + 90], fill=0)
    img = img.rotate(8, resample=Image.BILINEAR).filter(ImageFilter.GaussianBlur(1.2))
    assert paper_sheet(np.asarray(img) / 255.0) is None
    assert recognize(img, classifier).number == "0"


def first_of(mnist_test, label: int):
    x, y = mnist_test
    return x[np.flatnonzero(y == label)[0]]


def light_three_dark_nine(mnist_test, level: float) -> np.ndarray:
    """The number 39 written on paper, its 3 (the left half of the page) at ``level`` of the 9's contrast:
    (H, W) float32 in [0, 255]."""
    from helpers import string_on_paper

    page = string_on_paper([first_of(mnist_test, 3), first_of(mnist_test, 9)], height=90, gap=20).astype(np.float32)
    half = page.shape[1] // 2
    page[:, :half] = 255 - (255 - page[:, :half]) * level
    return page


def test_light_digit_beside_a_dark_one(classifier, mnist_test):
    """Contrast is judged per component: a light-grey 3 (35% of the 9's contrast) is not lost to the
    threshold that the darker 9 sets."""
    from digits.network.recognize import recognize

    page = light_three_dark_nine(mnist_test, 0.35)
    assert recognize(page.astype(np.uint8), classifier).number == "39"


@pytest.mark.parametrize("level", [0.3, 0.45])
def test_thin_light_one_beside_a_bold_dark_two(classifier, mnist_test, level):
    """A thin light-grey 1 beside a bold dark 2 is a fifth of the 2's area, under the area that
    faint ink must have to be judged on its own; it has a digit's height and a pen's steep edges,
    so it is kept (it was dropped: "2"). The same from the validation-built two_tones row (sample 86).
    """
    from scipy import ndimage

    from digits.network.recognize import recognize

    from conftest import people_samples
    from helpers import string_on_paper

    bold_two = ndimage.grey_dilation(first_of(mnist_test, 2), size=(3, 3))
    page = string_on_paper([bold_two, first_of(mnist_test, 1)], height=90, gap=20).astype(np.float32)
    half = page.shape[1] // 2
    page[:, half:] = 255 - (255 - page[:, half:]) * level
    assert recognize(page.astype(np.uint8), classifier).number == "21"
    (sample,) = people_samples("two_tones", {86})
    assert recognize(sample.image, classifier).number == sample.label == "21"


@pytest.mark.parametrize(
    ("level", "number"), [(0.12, "9"), (0.18, "9"), (0.35, "39")], ids=["show-through", "faint", "light digit"]
)
def test_show_through_is_paper_a_light_digit_is_ink(classifier, mnist_test, level, number):
    """Contrast per component has a floor relative to the darkest ink: the show-through of writing on
    the back of the page (8-15% of the ink's contrast on a phone photo) is paper, a light digit
    beside a dark one (25-50%) is ink."""
    from digits.network.recognize import recognize
    from digits.reading.ink import FAINT_LEVEL, extract_ink

    assert 0.18 < FAINT_LEVEL < 0.25  # 0.18: above MIN_CONTRAST, so only FAINT_LEVEL makes it paper
    page = light_three_dark_nine(mnist_test, level).astype(np.uint8)
    half = page.shape[1] // 2
    mask = extract_ink(page).mask
    left = mask[:, : int(half * mask.shape[1] / page.shape[1])]
    assert bool(left.sum() == 0) == (number == "9")
    assert recognize(page, classifier).number == number


def test_shadow_bands_across_phone_photos_are_light(classifier):
    """Phone light from the "as people make them" set (validation split): shadow bands two or three
    strokes wide across the digit (a 9 read as "00", a 3 as 0, both "not a digit"). Sample 237's
    band (a 1 read "019"), whose edges are steeper (0.61-0.67 of the strokes'), is still ink."""
    from digits.network.recognize import recognize

    from conftest import people_samples

    wanted = {30, 203, 263, 281}
    samples = people_samples("phone_light", wanted)
    assert len(samples) == len(wanted)
    for i, s in zip(sorted(wanted), samples, strict=True):
        result = recognize(s.image, classifier)
        assert result.number == s.label and result.whole.reading.is_digit, i


@pytest.mark.parametrize("level", [0.35, 0.5, 0.65])
def test_light_digit_at_the_border_of_a_tight_crop(classifier, mnist_test, level):
    """A light 3 beside a dark 9, cropped to the ink, so that the 3 touches the picture's border: on an
    evenly lit page, faint ink at the border is a digit (the border rule is for shaded pages); a
    lighter digit above the ink's threshold (0.5, 0.65) is ink too. (At 0.35 the faint 3's ink comes
    out thin, and the networks hesitate between 3 and 5: 0.52 / 0.38 for the network before the bold
    fine-tuning, 0.33 / 0.59 after it, and the deep ensemble reads 3 at 0.52, under the detector's
    threshold; so there the 3 must be found as a part of its own, with 3 among its two likeliest
    classes, whatever the verdict.)"""
    from digits.network.recognize import recognize

    page = light_three_dark_nine(mnist_test, level)
    rows, cols = np.flatnonzero((page < 200).any(axis=1)), np.flatnonzero((page < 250).any(axis=0))
    tight = page[rows[0] - 4 : rows[-1] + 5, cols[0] : cols[-1] + 5].astype(np.uint8)
    result = recognize(tight, classifier)
    if level > 0.35:
        assert result.number == "39"
    else:
        three, nine = (d.reading for d in result.digits)
        assert nine.label == 9 and 3 in np.argsort(three.probabilities)[-2:]


ENSEMBLE_11 = pytest.mark.xfail(
    strict=True,
    reason="its ink is kept, in two pieces; the deep ensemble reads them '11' (costs 0.65) just ahead of the "
    "merged 4 with the merge prior (0.75)",
)


@pytest.mark.parametrize(
    "label, height, level",
    [
        pytest.param(label, height, level, marks=ENSEMBLE_11 if (label, height, level) == (4, 160, 0.5) else ())
        for level in (0.5, 0.65)
        for height in (60, 120, 160)
        for label in (4, 9)
    ],
)
def test_lighter_half_of_a_digit_at_the_border_is_ink(classifier, mnist_test, label, height, level):
    """A digit whose lower half is lighter (a pen running dry), cropped so that the light half reaches
    the picture's border: it is fainter than the strokes and clear of them, as a shadow band is,
    but its edges are a pen's, steeper than light's, so it stays ink (taken for light, the 4 was
    read "11" and the 9 "01")."""
    from digits.network.recognize import recognize

    assert recognize(lighter_lower_half(mnist_test, label, height, level), classifier).number == str(label)


@pytest.mark.parametrize("label", [4, 9])
@pytest.mark.parametrize("height", [60, 120, 160])
@pytest.mark.parametrize("level", [0.5, 0.65])
def test_lighter_half_of_a_digit_at_the_border_is_kept_in_the_mask(mnist_test, label, height, level):
    """The same pictures, whatever the network makes of them: the light half, down to the border,
    is in the ink's mask (the 180 px 4 below, whose half is taken for light, ends a third short)."""
    from digits.reading.ink import extract_ink

    mask = extract_ink(lighter_lower_half(mnist_test, label, height, level)).mask
    assert np.flatnonzero(mask.any(axis=1))[-1] >= 0.97 * mask.shape[0]


@pytest.mark.xfail(strict=True, reason="a known limit of the soft-edge test (SOFT_EDGE in ink.py)")
def test_lighter_half_of_a_large_four_is_ink(classifier, mnist_test):
    """The same 4 drawn 180 px tall: its light half's edges, upscaled from MNIST's 28x28, are as soft
    as a shadow band's (0.37-0.42 of the strokes' steepness), and it is taken out ("11")."""
    from digits.network.recognize import recognize

    assert recognize(lighter_lower_half(mnist_test, 4, 180, 0.5), classifier).number == "4"


def lighter_lower_half(mnist_test, label: int, height: int, level: float) -> np.ndarray:
    """The first test digit of ``label`` on paper, ``height`` px tall, its lower half at ``level`` of
    the upper half's contrast, cropped to the ink but for 4 px above: (H, W) uint8."""
    page = on_paper(first_of(mnist_test, label), height=height, canvas=(height + 80, height + 80)).astype(np.float32)
    rows, cols = np.flatnonzero((page < 200).any(axis=1)), np.flatnonzero((page < 200).any(axis=0))
    middle = (rows[0] + rows[-1]) // 2
    page[middle:] = 255 - (255 - page[middle:]) * level
    return page[rows[0] - 4 : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.uint8)


def test_faint_band_along_the_sides_of_an_evenly_lit_page_is_paper(classifier, mnist_test):
    """A faint band along the top and left sides (a table, the page's edge; 20% of the ink's
    contrast) on an evenly lit page: fainter ink that runs along a side is never a digit."""
    from digits.network.recognize import recognize

    x, y = mnist_test
    page = on_paper(x[0], height=150, canvas=(300, 300)).astype(np.float32)
    page[:12, :] = np.minimum(page[:12, :], 255 * 0.8)
    page[:, :12] = np.minimum(page[:, :12], 255 * 0.8)
    result = recognize(page.astype(np.uint8), classifier)
    assert result.number == str(y[0]) and len(result.digits) == 1
    assert result.whole.digit.box[0] > 12 and result.whole.digit.box[1] > 12


def test_light_left_as_lines_and_show_through_are_paper(classifier):
    """Phone light from the "as people make them" set (validation split): the edges of a shadow band
    that the stroke-scale background leaves as faint lines running in from the picture's border (a
    1 read as "11"), and the show-through of a mirrored digit beside a 3 ("31"). Fainter ink is
    judged on its own level only when it is inside the picture and above FAINT_LEVEL of the darkest."""
    from digits.network.recognize import recognize

    from conftest import people_samples

    wanted = {37, 240}
    samples = people_samples("phone_light", wanted)
    assert len(samples) == len(wanted)
    for i, s in zip(sorted(wanted), samples, strict=True):
        result = recognize(s.image, classifier)
        assert result.number == s.label and len(result.digits) == 1, i


@pytest.mark.parametrize(("label", "rows", "cols"), [(3, 20, 20), (9, 24, None)], ids=["squared", "ruled"])
def test_digit_on_squared_and_ruled_paper(classifier, mnist_test, label, rows, cols):
    """The lines of squared or ruled paper (35-40% of the ink's contrast, every 20-24 px) are not ink."""
    from digits.network.recognize import recognize
    from digits.reading.ink import remove_ruling

    page = on_paper(first_of(mnist_test, label), height=110, canvas=(300, 400)).astype(np.float32)
    grid = np.zeros_like(page)
    grid[::rows, :] = 1
    if cols:
        grid[:, ::cols] = 1
    page = np.minimum(page, 255 - grid * 255 * 0.4).astype(np.uint8)
    result = recognize(page, classifier)
    assert result.number == str(label) and len(result.digits) == 1
    assert remove_ruling(0.4 * grid).max() < 0.05  # the ruling alone is taken out entirely


def turned_grid(shape: tuple[int, int], step: float, degrees: float, squared: bool = True) -> np.ndarray:
    """Lines 2 px wide every ``step`` px, turned ``degrees`` counter-clockwise (squared paper, or
    ruled with ``squared`` False), anti-aliased: (H, W) float in [0, 1], 1 on a line."""
    yy, xx = np.mgrid[: shape[0], : shape[1]].astype(np.float32)
    out = np.zeros(shape, np.float32)
    for theta in [np.deg2rad(degrees + 90)] + ([np.deg2rad(degrees)] if squared else []):
        d = np.mod(xx * np.cos(theta) - yy * np.sin(theta), step)
        out = np.maximum(out, np.clip(1.5 - np.minimum(d, step - d), 0, 1))
    return out


@pytest.mark.parametrize("degrees", [-12, -6, -2, 3, 8])
@pytest.mark.parametrize(
    ("label", "squared"), [(3, True), (5, True), (9, False)], ids=["squared-3", "squared-5", "ruled"]
)
def test_digit_on_squared_and_ruled_paper_photographed_turned(classifier, mnist_test, label, squared, degrees):
    """A page of squared or ruled paper photographed a few degrees off square: its lines (40% of the
    ink's contrast, every 20 px) no longer run along the rows, and the lattice joined the digit into
    one box read as a rejected "0" (2 degrees were enough). They are found at their angle."""
    from digits.network.recognize import recognize
    from digits.reading.ink import remove_ruling

    page = on_paper(first_of(mnist_test, label), height=130, canvas=(320, 360)).astype(np.float32)
    grid = turned_grid(page.shape, 20.0, degrees, squared)
    page = np.minimum(page, 255 - grid * 255 * 0.4).astype(np.uint8)
    result = recognize(page, classifier)
    assert result.number == str(label) and len(result.digits) == 1
    left = remove_ruling(0.4 * grid) > 0.1  # the ruling alone: at most a few pixels at the picture's edge
    assert left.sum() < 0.01 * (grid > 0.5).sum()


def ballpoint_photo(digit, page, pen, fall_off, blur, noise, seed, desk=None, margin=0.15):
    """A phone photo of an MNIST digit (28x28 uint8) re-drawn along its skeleton with a ``pen`` px
    blue ballpoint ``margin`` of its side from the edges of ``page`` ((S, S, 3) float32 RGB on [0, 255], changed in
    place): light falling off by ``fall_off`` across the page at a random angle, a Gaussian blur of
    ``blur`` px, noise of ``noise`` grey levels, then JPEG at quality 85. ``desk`` ((S, S) bool),
    if given, is painted a desk's brown before the photo is taken. Returns the decoded PIL image."""
    import io

    from scipy import ndimage
    from skimage import morphology

    rng = np.random.default_rng(seed)
    size = page.shape[0]
    inner, at = round((1 - 2 * margin) * size), round(margin * size)
    shape = np.asarray(Image.fromarray(digit).resize((inner, inner), Image.BICUBIC), np.float32) / 255
    ink = np.zeros((size, size), np.float32)
    skeleton = morphology.skeletonize(shape > 0.45)
    ink[at : at + inner, at : at + inner] = np.clip(pen / 2 + 0.5 - ndimage.distance_transform_edt(~skeleton), 0, 1)
    page[:] = page * (1 - ink[..., None]) + np.array((25, 45, 150), np.float32) * ink[..., None]
    if desk is not None:
        page[desk] = (105, 80, 60)
    angle = rng.uniform(0, 2 * np.pi)
    rows, cols = np.mgrid[0:size, 0:size] / size
    page *= (1 - fall_off * (np.cos(angle) * cols + np.sin(angle) * rows + 1) / 2)[..., None]
    page[:] = ndimage.gaussian_filter(page, (blur, blur, 0)) + rng.normal(0, noise, page.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return Image.open(buffer)


@pytest.mark.parametrize("index", [9940, 9941, 9952])
def test_thin_pen_on_a_sheet_with_the_desk_along_two_sides(classifier, mnist_test, index):
    """A desk along the bottom and the right of the photo (an L, 15% of each side), a digit in thin
    ballpoint: the border is split, and the polarity, rightly dark ink, left the desk as ink that
    joined the digit (the whole picture read as one '1', not a digit). The sheet is the paper
    whenever the border is not clearly paper, and the desk is painted over."""
    from digits.network.recognize import recognize

    x, y = mnist_test
    page = np.full((400, 400, 3), (238, 238, 232), np.float32)
    rows, cols = np.mgrid[0:400, 0:400]
    desk = (rows > 340) | (cols > 340)
    picture = ballpoint_photo(x[index], page, 4, 0.15, 0.8, 4, seed=index, desk=desk, margin=0.22)
    assert recognize(picture, classifier).number == str(y[index])


@pytest.mark.parametrize("index", [9940, 9947])
def test_thin_pen_under_light_falling_off_keeps_its_polarity(classifier, mnist_test, index):
    """A 4 px ballpoint digit on a 600 px photo whose light falls off by 45% across the page: the
    border is split between lit and dim paper, and the top-hat test, outweighed by the paper's
    grain and noise against a few thin strokes, had said "light ink" (the page read "0", not a
    digit). With the light divided out, the border is one paper."""
    from skimage import filters

    from digits.network.recognize import recognize
    from digits.reading.ink import WORK_SIZE, _border_light, _downscale, dark_ink

    x, y = mnist_test
    page = np.full((600, 600, 3), (238, 238, 232), np.float32)
    picture = ballpoint_photo(x[index], page, pen=4, fall_off=0.45, blur=1.0, noise=5, seed=100 + index)
    gray = filters.gaussian(_downscale(picture, WORK_SIZE)[0], 1.0)
    assert 0.35 < _border_light(gray) < 0.65  # the border is split
    assert dark_ink(gray)
    assert recognize(picture, classifier).number == str(y[index])


@pytest.mark.parametrize("index", [9963, 9965])
def test_notebook_margin_line_is_not_a_one(classifier, mnist_test, index):
    """A phone photo of lined notebook paper (light blue rules, a red margin line down the page) with
    a digit in ballpoint: the rules taken out where they cross the margin line cut it into pieces,
    none of which runs from top to bottom, and together they had been read as a leading "1"
    ("17", "12")."""
    from scipy import ndimage

    from digits.network.recognize import recognize
    from digits.reading.ink import extract_ink

    x, y = mnist_test
    size = 300
    page = np.empty((size, size, 3), np.float32)
    page[:] = (245, 245, 240)
    for row in range(14, size, 28):
        page[row : row + 2] = (150, 190, 230)  # rules
    page[:, 40:42] = (225, 100, 110)  # the margin line
    picture = ballpoint_photo(x[index], page, pen=4, fall_off=0.25, blur=0.8, noise=6, seed=index)
    assert recognize(picture, classifier).number == str(y[index])
    # The margin line is in pieces in the ink (else this test would not test the pieces).
    assert ndimage.label(extract_ink(picture).mask[:, 36:46])[1] >= 3


def test_rules_broken_by_a_bold_stroke_are_taken_out_whole():
    """A bold stroke across squared paper breaks every rule it crosses; the stubs beside it, too short
    for the line-shaped opening, are found from the lattice of the others and taken out, and the
    stroke keeps its ink."""
    from digits.reading.ink import remove_ruling

    grid = np.zeros((300, 400), np.float32)
    grid[5::20, :] = 0.4
    grid[:, 7::20] = 0.4
    ink = grid.copy()
    ink[60:240, 100:300] = 1.0  # a bold stroke, 180 px tall: no rule beside it is 60% of the page
    out = remove_ruling(ink)
    assert out[~(ink == 1.0)].max() < 0.05
    assert out[60:240, 100:300].min() >= 0.5


def test_missing_rules_only_where_the_ruling_is_even():
    from digits.reading.ink import _missing_rules

    rules = np.zeros(300, bool)
    for c in (10, 30, 50, 130, 150, 170):  # every 20 px, with 70, 90 and 110 hidden by a digit
        rules[c : c + 2] = True
    missing = np.flatnonzero(_missing_rules(rules))
    for c in (70, 90, 110, 190, 290):  # the hidden ones, and the lattice beyond the last found
        assert np.isin(np.arange(c, c + 2), missing).all(), c
    assert not np.isin(missing, np.flatnonzero(rules)).any()
    uneven = np.zeros(300, bool)
    for c in (10, 37, 51, 140, 152, 230):
        uneven[c : c + 2] = True
    assert not _missing_rules(uneven).any()


def test_digit_in_a_shadow_band(classifier, mnist_test):
    """A phone photo's shadow band (50% darker at its core, 120 px wide, slanted) across the digit."""
    from digits.network.recognize import recognize

    page = on_paper(first_of(mnist_test, 3), height=110, canvas=(300, 400)).astype(np.float32) / 255
    yy, xx = np.mgrid[:300, :400]
    d = (xx - 200) * np.cos(0.6) + (yy - 150) * np.sin(0.6)
    band = 1 - 0.5 * np.clip(1 - np.abs(d - 30) / 60, 0, 1) ** 0.5
    page = (np.clip(page * band * 0.9 + 0.05, 0, 1) * 255).astype(np.uint8)
    result = recognize(page, classifier)
    assert result.number == "3" and len(result.digits) == 1


def test_shadow_bands_as_strong_as_the_ink_stay_paper(classifier):
    """Phone light from the "as people make them" set (validation split): shadow bands 30-55%
    darker, about as wide as two of the digit's strokes, so they never look "far wider than the
    strokes"; before the stroke-scale background was kept for them, each of these was misread.
    The ink found lies within the digit's box. Sample 11, a bold 0 wider than tall with a hook, is
    read "70" now that the band is paper: as one digit its 28x28 is "not a digit" (bold digits are
    the network's weakness, issue 14), which had cost less than the band's junk."""
    from digits.network.recognize import recognize
    from digits.reading.ink import extract_ink

    from conftest import people_samples

    wanted = {2, 10, 11, 23, 41}
    samples = people_samples("phone_light", wanted)
    assert len(samples) == len(wanted)
    for i, s in zip(sorted(wanted), samples, strict=True):
        assert s.params["light"] == "shadow"
        ink = extract_ink(s.image)
        rows, cols = np.nonzero(ink.mask)
        x0, y0, x1, y1 = (round(v / ink.scale) for v in s.boxes[0])
        slack = 0.05 * max(s.image.shape[:2])
        assert rows.min() >= y0 - slack and rows.max() < y1 + slack, i
        assert cols.min() >= x0 - slack and cols.max() < x1 + slack, i
        if i != 11:
            result = recognize(s.image, classifier)
            assert result.number == s.label and len(result.digits) == 1, i


def test_the_edges_of_a_shadow_band_are_not_strokes(classifier, monkeypatch):
    """Phone light from the "as people make them" set (validation split): shadow bands whose edges
    the stroke-scale background could not follow left strips at the band's own level beside the
    digit (a 0 read 8, a 7 "74", a 4 "48"). A strip with the band as dark as itself on one side is
    a step in the light, not a stroke: taken out, the ink found lies within the digit's box, and
    the digit is read alone. Without that test (``STEP_SHARE`` above 1) the strips stay."""
    from digits.network.recognize import recognize
    from digits.reading import ink as ink_module
    from digits.reading.ink import extract_ink

    from conftest import people_samples

    wanted = {76, 254, 279}
    samples = people_samples("phone_light", wanted)
    assert len(samples) == len(wanted)

    def outside_box(s) -> bool:
        ink = extract_ink(s.image)
        rows, cols = np.nonzero(ink.mask)
        x0, y0, x1, y1 = (round(v / ink.scale) for v in s.boxes[0])
        slack = 0.05 * max(s.image.shape[:2])
        inside = (rows >= y0 - slack) & (rows < y1 + slack) & (cols >= x0 - slack) & (cols < x1 + slack)
        return bool((~inside).any())

    for i, s in zip(sorted(wanted), samples, strict=True):
        assert s.params["light"] == "shadow"
        assert not outside_box(s), i
        result = recognize(s.image, classifier)
        assert result.number == s.label and len(result.digits) == 1, i
    monkeypatch.setattr(ink_module, "STEP_SHARE", 1.01)
    assert all(outside_box(s) for s in samples)


def test_stroke_width_is_measured_on_the_strokes_not_the_shadow(classifier):
    """Phone light from the "as people make them" set (validation split): shadow bands as dark as
    the fainter strokes. With strong ink above 70% of the top, the band's ridges counted in the
    stroke width, the stroke-scale background was too wide to follow the band, and each of these was
    misread (0 as 8, 6 as 86, 4 as 1, 3 as 5)."""
    from digits.network.recognize import recognize

    from conftest import people_samples

    wanted = {9, 18, 77, 89, 127}
    samples = people_samples("phone_light", wanted)
    assert len(samples) == len(wanted)
    for i, s in zip(sorted(wanted), samples, strict=True):
        assert s.params["light"] == "shadow"
        assert recognize(s.image, classifier).number == s.label, i


def test_shadow_band_that_splits_the_border_keeps_the_polarity(classifier):
    """Phone light from the "as people make them" set (validation split): a wide shadow band that
    covers about half of the picture's border. Polarity went by the majority of pixels, the shadow
    won, the paper became the ink and the digit a blob read as 8."""
    from digits.network.recognize import recognize
    from digits.reading.ink import dark_ink, to_grayscale

    from conftest import people_samples

    wanted = {40, 95, 102}
    samples = people_samples("phone_light", wanted)
    assert len(samples) == len(wanted)
    for i, s in zip(sorted(wanted), samples, strict=True):
        assert s.params["light"] == "shadow"
        assert dark_ink(to_grayscale(s.image))
        assert recognize(s.image, classifier).number == s.label, i


def pencil_drawing(digit: np.ndarray, height: int = 600, canvas: int = 900) -> np.ndarray:
    """An MNIST digit drawn with a paint program's 1-px pencil (its skeleton, aliased, black on pure
    white) ``height`` px tall on a ``canvas`` px square: (H, W) uint8."""
    from skimage.filters import gaussian
    from skimage.morphology import skeletonize
    from skimage.transform import resize

    rows, cols = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] / 255.0
    s = height / crop.shape[0]
    smooth = gaussian(resize(crop, (height, round(crop.shape[1] * s)), order=1), sigma=height / 40)
    line = skeletonize(smooth > 0.5)  # the smoothing keeps the pixel staircase's spurs off the line
    page = np.full((canvas, canvas), 255, np.uint8)
    top, left = (canvas - line.shape[0]) // 2, (canvas - line.shape[1]) // 2
    page[top : top + line.shape[0], left : left + line.shape[1]][line] = 0
    return page


@pytest.mark.parametrize("label", [2, 4, 5, 8])
def test_a_one_pixel_pencil_drawing_reduced_to_the_working_size_is_one_digit(classifier, mnist_test, label):
    """A digit drawn with a 1-px pencil on a 900 px paint canvas: reduced to the working size by
    averaging, its line came out faint and broken into specks, read as several digits ("0003");
    on a clean digital background its strokes are widened first. The same drawing as light on black
    too. A phone photo's paper is noisy, and is reduced as before."""
    from digits.network.recognize import recognize
    from digits.reading.ink import _widen_thin_strokes

    page = pencil_drawing(first_of(mnist_test, label))
    assert recognize(page, classifier).number == str(label)
    assert recognize(255 - page, classifier).number == str(label)
    noisy = np.clip(page + np.random.default_rng(0).normal(0, 4, page.shape), 0, 255).astype(np.float32) / 255
    assert _widen_thin_strokes(noisy, 2) is noisy


def glare_photo(digit: np.ndarray, strength: float = 0.7) -> np.ndarray:
    """An MNIST digit written with a marker on a whiteboard (170 px tall, 300x340 px) under a lamp's
    glare: a Gaussian spot over the digit's upper left, lifting each pixel ``strength`` of the way to
    beyond white (the ink far more than the near-white board), then noise. (H, W) uint8."""
    page = on_paper(digit, height=170, canvas=(300, 340)).astype(np.float32)
    page = 232 - (232 - 40) * (255 - page) / 255
    yy, xx = np.mgrid[:300, :340].astype(np.float32)
    glare = strength * np.exp(-1.5 * (((yy - 110) / 45) ** 2 + ((xx - 140) / 90) ** 2))
    page = page + glare * (300 - page) + np.random.default_rng(0).normal(0, 3, page.shape)
    return np.clip(page, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("index", [9, 15, 16, 22])
def test_a_stroke_washed_out_by_glare_stays_whole(classifier, mnist_test, index):
    """Glare on a whiteboard lifts the marker's ink most of the way to the board's white over part of
    the digit: under one threshold the faded part was cut off (MNIST test digits 9, 15, 16, 22 read
    7, 3, 7, 0). Where the board is brighter than elsewhere, ink joined to the digit is kept down to
    half the threshold."""
    from digits.network.recognize import recognize

    x, y = mnist_test
    assert recognize(glare_photo(x[index]), classifier).number == str(y[index])
