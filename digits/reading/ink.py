"""Separate ink from paper: grayscale, background, polarity, ruling, contrast per component.

The second stage of the reading pipeline. Output: light ink on a dark background, as in MNIST,
at a working resolution of at most :data:`WORK_SIZE` pixels, with the mask of the ink pixels.
The steps follow document-image practice:

1. **Grayscale** (:func:`to_grayscale`): ITU-R BT.601 luminance (or, for a saturated colour about as
   bright as its background, the colour channel that tells them apart); an alpha channel is composited
   onto a background that contrasts with the ink, or onto the paper's shade where the opaque
   pixels are a page with transparent margins.
2. **Polarity** (:func:`dark_ink`, for uploads: the app's canvas is dark on white): the picture's
   border is the witness of the paper: the side of Otsu's threshold (Otsu 1979) that holds most of
   the border is the paper, whatever share of the picture a bold digit covers. When light falls
   across the page and splits the border, the side that makes strokes (the larger top-hat) is the ink.
3. **Background**: a grey opening with a window a quarter of the picture wide (a "rolling ball"
   estimate, which removes even lighting gradients); when what it leaves looks like ink far wider
   than the strokes (a shadow band, a bright spot, vignetting), again with a window three strokes
   wide, at the scale of the strokes.
4. **Ruling** (:func:`remove_ruling`): the lines of ruled and squared paper, found by a grey
   opening with a line-shaped footprint, are subtracted.
5. **Contrast**: the ink is normalised by its typical strong level and thresholded (Otsu); light
   that passed the threshold (a shadow band too narrow for the background estimates, the rim of a
   bright spot), fainter than the strokes, running in from the border and soft-edged, is taken
   out (:func:`_without_light`); ink
   that is fainter, but far above the paper's noise, at least :data:`FAINT_LEVEL` of the darkest
   ink's contrast and as large as a digit (a light digit beside a dark one), is judged on its own
   level; on an unevenly lit page, only when it keeps clear of the picture's border (there, it is
   the edge of a shadow band). On such a page, a piece with the paper beside it as dark as itself
   (a step in the light, where the background estimate undercut a band's edge; a stroke has lighter
   paper on every side) is taken out too (:func:`_without_steps`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import filters, measure, morphology, transform

from digits.reading.boxes import along_a_side, at_border
from digits.reading.decode import full_size

#: Longest side, in pixels, at which ink is extracted; bigger inputs are downscaled first. At 640 (its
#: value before) a 12-megapixel phone photo took twice as long to read, most of it spent here. Of the
#: validation-built pictures larger than 400 px (141: printed digits, plates, house numbers, strings),
#: 480 read as many right as 640 (113) and 400 two fewer; the 138 real pictures read the same at all three.
WORK_SIZE = 480
#: The share of a picture's pixels at exactly its lightest (or darkest) level above which it is a
#: drawing on a clean digital background (see :func:`_widen_thin_strokes`).
CLEAN_BACKGROUND = 0.5
#: ITU-R BT.601 luminance weights of R, G and B.
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
#: Ink contrast (in [0, 1], 1 = black vs white) below which an image is "nothing to read".
MIN_CONTRAST = 0.12
#: A colour channel with this many times the luminance's contrast stands in for it where the
#: luminance has little (see :func:`_colour_contrast`); a grey picture's channels have the same.
COLOUR_GAIN = 2.0
#: A picture whose opaque pixels cover at least this share of it, and hold shades at least
#: ``PAPER_SPREAD`` apart (5th to 95th percentile), is paper with transparent margins: they take the
#: paper's shade (see :func:`_backdrop`).
OPAQUE_PAPER = 0.5
PAPER_SPREAD = 0.25
#: A sheet of paper on a darker surround (see :func:`paper_sheet`): its convex hull covers at least
#: ``SHEET_AREA`` of the picture and the light piece fills ``SHEET_SOLIDITY`` of it (paper is a
#: convex polygon); the dark inside is at most ``SHEET_INK`` of the hull, no stroke of it is wider
#: than ``SHEET_STROKE`` of the hull's shorter side, and it is drawn in strokes: its area at least
#: ``SHEET_ELONGATION`` times the square of its widest stroke. Sheets and sticky notes photographed
#: on a desk (pens 4-16 px on 400 px photos, desk 3-30% of the picture) measured a fill of
#: 0.996-1.0, ink 0.01-0.07, widths 0.02-0.15 and elongations 3.4-20. Bold light digits on a dark
#: ground (validation frame_filling) fill their hulls up to 0.992, and the dark inside those that
#: fill 0.99 (closed-up counters) is compact: elongation 0.9-1.6. Plates on a wall: the dark inside
#: (the plate) is 0.67-0.91 of the hull. A first version (fill 0.9, width 0.15, no elongation) took
#: 15 of 300 validation frame_filling pictures for sheets; the row fell from 91.0 to 87.3%.
SHEET_AREA = 0.25
SHEET_SOLIDITY = 0.99
SHEET_INK = 0.15
SHEET_STROKE = 0.2
SHEET_ELONGATION = 3.0
#: The sheet's edge, blurred into the surround, is left out: this share of the picture's shorter
#: side, at least ``SHEET_EDGE_PX`` working pixels.
SHEET_EDGE = 0.01
#: A sheet's outline is a polygon of at most ``SHEET_CORNERS`` corners, traced to within
#: ``SHEET_CORNER_TOLERANCE`` of its shorter side (Douglas-Peucker): a page, a sticky note, a page
#: cut by the picture's border (4-6); a very bold light 0 whose counter is a slit fills its hull as
#: a page does (0.990-0.994, an independent review) but is round (many more).
SHEET_CORNERS = 8
SHEET_CORNER_TOLERANCE = 0.02
SHEET_EDGE_PX = 3
#: Width of the border that decides polarity, as a fraction of the picture's shorter side.
BORDER = 0.03
#: When the border is split, it is asked again with the light divided out: the picture divided by
#: itself blurred by a Gaussian of this fraction of its shorter side.
FLATTEN = 0.1
#: When the border is split, polarity goes by which side has more stroke-like features narrower
#: than this fraction of the picture's shorter side (see :func:`dark_ink`).
POLARITY_WINDOW = 0.1
#: Radius of the second background estimate, in stroke widths: its window (3 strokes wide) takes the strokes
#: (and where they cross) out, and is narrow enough to follow a shadow band or a bright spot.
SHADING_STROKES = 1.5
#: Share of the ink more than four strokes wide above which the picture is taken to be shaded.
SHADED_SHARE = 0.15
#: The stroke-scale background is kept when, without it, this many times more of the picture could
#: pass for ink (above a quarter of the strongest ink): the light, not the digit, made the difference.
SHADING_GAIN = 1.5
#: The share of what the stroke-scale background takes away that must lie in pieces touching the
#: picture's border for it to be light rather than ink.
LIGHT_AT_BORDER = 0.5
#: A background estimate that varies by less than this (in [0, 1] intensity) is even light, taken as
#: a constant so that clean input is left untouched.
EVEN_LIGHT = 0.08
#: The strokes' half-width is this percentile of the distance to the paper along the ridges of the
#: strong ink (the median). The 25th percentile, so that a shadow band as dark as the strokes counts
#: less, read 93% of the validation phone-light pictures instead of 89%, but lost the light 3 of a
#: light 3 beside a dark 9 (tests/reading/test_ink.py); not adopted.
RIDGE_PERCENTILE = 50
#: Strong ink, whose ridges give the stroke width: above this fraction of the ink's 99.5th
#: percentile. A shadow band is fainter than the strokes; at 0.7 the darkest bands still counted
#: and the width came out too wide for the stroke-scale background. Validation phone light read
#: 93.3% at 0.7 and 96.7% at 0.85 (rejected 5.3 -> 2.0%); the other variants did not move.
STRONG_INK = 0.85
#: The boldest strokes' width: this percentile of the same distances. When it is more than
#: :data:`BOLDER` times the typical width, it sets the local threshold's window.
WIDEST_PERCENTILE = 95
BOLDER = 2.0
#: Local thresholding: window in stroke widths, and Sauvola's k (low, so that a faint digit stays ink).
LOCAL_STROKES = 3.0
SAUVOLA_K = 0.1
#: Ruled and squared paper: lines running across at least this fraction of the picture (a digit
#: rarely does), at least this many of them, and on pictures at least twice this many pixels across.
RULE_LENGTH = 0.6
MIN_RULES = 3
MIN_RULE_PX = 40
#: The widest a rule may be, in working pixels (a printed line of 1-2 px, widened by 3 for slant).
MAX_RULE_WIDTH = 5
#: Evenly spaced ruling: at least this share of the found rules lie within this fraction of a period
#: of their lattice; the rules it adds are this many pixels wider each side than the widest found.
REGULAR_SHARE = 0.8
RULE_JITTER = 0.1
RULE_SLACK = 1
#: Two rules are the top and bottom lines of a row of boxes on a form, not ruling, when at least
#: this many thin straight walls join them: ink on :data:`BOX_WALL_ROWS` of the rows between them
#: that does not run on past either (squared paper's lines cross the rules; a form's walls end there).
BOX_WALLS = 2
BOX_WALL_ROWS = 0.95
#: A page photographed turned: its rules are looked for up to this many degrees off the rows, every
#: :data:`GRID_STEP` degrees, and only when they are more than :data:`GRID_STRAIGHT` off (nearer, the
#: 3-row dilation of :func:`remove_ruling` lets them fit).
GRID_TILT = 20.0
GRID_STEP = 0.5
GRID_STRAIGHT = 1.0
#: ... and only on pictures where the thin ink covers at least this share (see :func:`_ruling_tilt`).
GRID_SHARE = 0.04
#: Light that passed for ink (see :func:`_without_light`) has pixels more than this many pixels from
#: every stroke; a stroke's own soft edge (blur, JPEG) lies within 1-2 px of it. Below
#: ``LIGHT_MIN_PIXELS`` pixels of ink, nothing is looked for.
LIGHT_REACH = 3
LIGHT_MIN_PIXELS = 50
#: A piece of would-be ink is the edge of a shadow, not a stroke (see :func:`_without_steps`), when
#: at least ``STEP_SHARE`` of the paper round it is within ``STEP_LEVEL`` of its contrast of its
#: level, or darker. On validation-built phone photos (2,500, seed 0 to 2) the band edges read as
#: strokes had 0.49-0.6 of their surroundings as dark; the digits, 0 (a stroke has paper on every
#: side): 8 more read right (a 0 read 8, a 1 "18", a 7 "74"), none lost, and no picture of the other
#: upload variants changed.
STEP_SHARE = 0.3
STEP_LEVEL = 0.15
#: Light's edges are soft: a piece is light only when its edges' steepness (per unit of its level)
#: is under this share of the strokes' own. The shadow bands of the validation phone photos that
#: passed for ink had 0.07-0.67 of the strokes' steepness; the lighter parts of real digits that reach
#: the border of a tight crop, rendered from MNIST (whose upscaled edges are soft), 0.55-1.3, but
#: for the largest renderings of some (a 4 180 px tall: 0.37-0.42). At 0.5, validation phone_light
#: read 97.0% (96.0% without taking light out, 97.3% at 0.7); of 1,000 tightly cropped light digits
#: beside dark ones, 1,497 digits with a lighter half and 1,189 mixed pencil, printed and soft-pen
#: pictures, none read worse than without it (at 0.7: 4, 6 and 5 did); of 2,391 more made afresh to
#: check the choice, 2 read worse (45 px tall, JPEG) and 1 better.
SOFT_EDGE = 0.5
#: Fainter ink is judged on its own when it stands this many noise levels above the paper and is at
#: least this share of the largest component's area.
FAINT_NOISE = 8.0
FAINT_AREA = 0.3
#: ... or, thin (a light 1), at least this share of the largest component's height and
#: :data:`FAINT_THIN_AREA` of its area, with edges as steep as a pen's (see :data:`SOFT_EDGE`).
FAINT_HEIGHT = 0.6
FAINT_THIN_AREA = 0.1
#: ... and at least this fraction of the darkest ink's contrast (its level after normalisation): the
#: show-through of writing on the back of the page is 8-15% of it on a phone photo, a light digit
#: beside a dark one 25-50% (issue 14's settings for both). On 300 validation-built pictures per
#: variant, at 0.2 a show-through beside a 3 was no longer read as a 1 and no light digit was lost;
#: at 0.25 two of the two_tones row's light digits were.
FAINT_LEVEL = 0.2
#: Glare (see :func:`_washed_out`): paper this much brighter than the picture's median paper (on
#: [0, 1]; the strokes closed over by a GLARE_WINDOW px window of the 96 px copy) is under glare, and
#: there ink down to GLARE_LOW of the threshold, joined to ink found, is ink. Chosen on an independent
#: review's whiteboard and glare pictures; the validation-built people set reads the same.
GLARE_RISE = 0.04
GLARE_WINDOW = 9
GLARE_LOW = 0.5


def to_grayscale(img: Image.Image | np.ndarray, colour: bool = True) -> np.ndarray:
    """Luminance of an image with any alpha composited onto a contrasting background.

    A transparent background takes the opposite shade of the ink drawn on it (white behind dark
    ink, black behind light ink), so black ink on a transparent PNG reads as black on white; the
    transparent margins or corners of a page (a photo rotated in an editor) take the page's shade
    (see :func:`_backdrop`).

    Args:
        img: PIL image of any mode, or an array (H, W), (H, W, 3) or (H, W, 4), uint8 in
            [0, 255] or float in [0, 1].
        colour: where the luminance has little contrast, a colour channel that has more may stand
            in for it (:func:`_colour_contrast`); False: the luminance always (the naive baseline).

    Returns:
        (H, W) float32 in [0, 1], 1 = white.
    """
    if isinstance(img, Image.Image):
        if img.mode in ("I", "I;16", "I;16B", "F"):
            arr = np.asarray(img, dtype=np.float32)
            span = float(arr.max() - arr.min())
            return ((arr - arr.min()) / span if span > 0 else np.ones_like(arr)).astype(np.float32)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")
        arr = np.asarray(img, dtype=np.float32) / 255.0
    else:
        arr = np.asarray(img)
        arr = arr.astype(np.float32) / 255.0 if arr.dtype == np.uint8 else arr.astype(np.float32)
    if arr.ndim == 2:
        return np.clip(arr, 0.0, 1.0)
    rgb = arr[..., :3]
    opaque = arr[..., 3] > 0.5 if arr.shape[-1] == 4 else None  # what lies under transparency has no say
    lum = _colour_contrast(rgb, opaque) if colour else rgb @ LUMA
    if arr.shape[-1] == 4:
        alpha = arr[..., 3]
        if alpha.min() < 0.99:
            lum = alpha * lum + (1.0 - alpha) * _backdrop(lum, alpha)
    return np.clip(lum, 0.0, 1.0).astype(np.float32)


def _colour_contrast(rgb: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """(H, W) float32 grey of an (H, W, 3) float32 RGB picture in [0, 1]: its luminance (ITU-R BT.601),
    or, where a colour channel holds at least :data:`COLOUR_GAIN` times the luminance's contrast
    (1st to 99th percentile) and the luminance holds under :data:`MIN_CONTRAST` (the picture would
    be blank), that channel. A saturated colour about as bright as its background (pure blue on
    black, yellow on white, red on green) has next to no luminance contrast, and was read as blank.
    At twice MIN_CONTRAST, a faint grey digit beside a yellow highlighter stroke was read in the
    blue channel, where the highlighter is the darkest thing on the page (an independent review). The contrasts are
    measured on the pixels where ``where`` ((H, W) bool, e.g. the opaque ones) is True, if given."""
    lum = rgb @ LUMA
    step = max(1, int(np.sqrt(lum.size / 10_000)))  # the spreads from some 10,000 pixels
    keep = np.ones(lum[::step, ::step].shape, bool) if where is None else where[::step, ::step]
    if not keep.any():
        return lum
    lum_spread = float(np.subtract(*np.percentile(lum[::step, ::step][keep], [99, 1])))
    if lum_spread >= MIN_CONTRAST:  # nearly every picture: the luminance has contrast enough
        return lum
    spread = np.subtract(*np.percentile(rgb[::step, ::step][keep], [99, 1], axis=0))
    channel = int(np.argmax(spread))
    if spread[channel] >= COLOUR_GAIN * max(lum_spread, 1e-3):
        return np.ascontiguousarray(rgb[..., channel])
    return lum


def _backdrop(lum: np.ndarray, alpha: np.ndarray) -> float:
    """The shade (in [0, 1]) put behind the transparent pixels of a picture.

    Ink drawn on a transparent background (the opaque pixels are the strokes, all of one shade) gets
    the opposite shade. A picture of paper with transparent margins or corners (a photo rotated in
    an editor, a screenshot with transparent padding: the opaque pixels, at least
    :data:`OPAQUE_PAPER` of the picture, hold both paper and ink, at least :data:`PAPER_SPREAD`
    apart) gets its paper's shade, the opaque pixels' median, so the margins neither frame the
    page in ink nor flip its polarity.

    Args:
        lum: (H, W) float32 luminance in [0, 1]; alpha: (H, W) float32 opacity in [0, 1].
    """
    opaque = alpha > 0.5
    if opaque.mean() >= OPAQUE_PAPER:
        low, mid, high = np.percentile(lum[opaque], [5, 50, 95])
        if high - low >= PAPER_SPREAD:
            return float(mid)
    ink_shade = float(np.average(lum, weights=alpha)) if alpha.sum() > 0 else 0.0
    if opaque.any() and not opaque.all():
        ink_shade = float(lum[opaque].mean())
    return 1.0 if ink_shade < 0.5 else 0.0


@dataclass
class Ink:
    """Ink extracted from a picture, at working resolution.

    Attributes:
        ink: (H, W) float32 in [0, 1], light ink (1) on a dark background (0), like MNIST.
        mask: (H, W) bool, the pixels that are ink (all False when there is nothing to read).
        scale: input pixels per working pixel (>= 1; > 1 when the input was downscaled), in the
            file's pixels when it was decoded smaller (:func:`digits.reading.decode.full_size`).
    """

    ink: np.ndarray
    mask: np.ndarray
    scale: float


def _downscale(img: Image.Image | np.ndarray, work_size: int) -> tuple[np.ndarray, float]:
    gray = to_grayscale(img)
    h, w = gray.shape
    scale = max(h, w) / work_size
    if scale <= 1.0:
        return gray, 1.0
    gray = _widen_thin_strokes(gray, round(scale))
    out = transform.resize(gray, (max(1, round(h / scale)), max(1, round(w / scale))), anti_aliasing=True)
    return out.astype(np.float32), scale


def _widen_thin_strokes(gray: np.ndarray, size: int) -> np.ndarray:
    """A drawing made in a paint program, before it is reduced ``size`` times: its strokes widened by
    ``size - 1`` px (a grey erosion of dark ink, a dilation of light ink; square window), so that a
    line as thin as a 1-px pencil's keeps its full contrast, unbroken, through the area-averaging
    downscale (averaged, it came out faint and broken into specks: read as several digits).

    A drawing, not a photo or a scan: over :data:`CLEAN_BACKGROUND` of its pixels lie at exactly its
    lightest (or darkest) level, a background no camera's noise leaves. Anything else, and a
    reduction under 2 times, is returned as it is.

    Args:
        gray: (H, W) float32 in [0, 1], 1 = white.
        size: the reduction factor, rounded.
    """
    if size < 2:
        return gray
    if np.mean(gray == gray.max()) > CLEAN_BACKGROUND:
        return ndimage.minimum_filter(gray, size=size)
    if np.mean(gray == gray.min()) > CLEAN_BACKGROUND:
        return ndimage.maximum_filter(gray, size=size)
    return gray


def extract_ink(img: Image.Image | np.ndarray, work_size: int = WORK_SIZE, paper: bool = True) -> Ink:
    """Separate ink from background, fix polarity, and normalise contrast.

    Args:
        img: a PIL image or an array accepted by :func:`to_grayscale`.
        work_size: longest side in pixels at which the work is done (bigger input is
            downscaled with anti-aliasing first).
        paper: the picture may be a photo or a scan of paper (an upload): decide the polarity,
            estimate the lighting, look for shading, ruling and faint ink. False for the app's
            canvas, which has none of these (dark strokes on a white background, its lowest level
            of ink signal; it is read faster).

    Returns:
        :class:`Ink`. Its ``mask`` is empty when the picture holds nothing to read (no
        contrast above :data:`MIN_CONTRAST`).
    """
    gray, scale = _downscale(img, work_size)
    if isinstance(img, Image.Image):  # a copy decoded smaller: the scale runs to the file's pixels
        scale *= full_size(img)[0] / img.width
    h, w = gray.shape
    # Contrast on a lightly smoothed copy, so that lone noisy pixels don't count as ink.
    smooth = filters.gaussian(gray, sigma=1.0) if min(h, w) >= 8 else gray
    if np.ptp(smooth) < MIN_CONTRAST:
        empty = np.zeros_like(gray)
        return Ink(empty, empty.astype(bool), scale)

    # The app's canvas is drawn in black on white (its colours are fixed by the draw tab): no polarity
    # to decide there (Otsu's histogram was a sixth of a canvas reading).
    dark, border = _polarity(smooth) if paper else (True, 1.0)
    if paper and (not dark or border < 0.65):
        # The border may be a desk round a sheet of paper (an uncropped phone photo), not paper:
        # then the sheet is the paper, and the desk is painted over with the sheet's shade.
        sheet = paper_sheet(smooth)
        if sheet is not None:
            level = float(np.median(smooth[sheet]))
            gray, smooth, dark = np.where(sheet, gray, level), np.where(sheet, smooth, level), True
    signal = (1.0 - gray) if dark else gray  # ink is high
    # A canvas is lit evenly by construction: its background is its paper's level, its lowest (the
    # estimate's answer there, at a seventh of a canvas reading's time).
    ink = np.clip(signal - (_background(signal) if paper else float(signal.min())), 0.0, None)
    width = widest = 0.0
    shaded_light = False
    if paper:
        ink = remove_ruling(ink)
        # Real light (a shadow band, a bright spot, vignetting) varies faster than a window of a
        # quarter of the picture can follow, and what it leaves looks like ink far wider than the
        # strokes: then estimate the background again with a window a few strokes wide.
        width, wide, widest = _stroke_width_estimate(ink)
        if width > 0:
            shaded = remove_ruling(np.clip(signal - _shading(signal, SHADING_STROKES * width), 0.0, None))
            # Keep it where the light left bands or patches far wider than the strokes, or where it
            # takes away a large area of would-be ink (a shadow band as bold as the digit).
            # Light comes from outside the picture: what it leaves reaches the border (a band across
            # the page, dark corners, the rim of a bright spot); a bold digit inside a plate's rim,
            # thicker than the rim, does not.
            inkish, inkish_shaded = _inkish(ink), _inkish(shaded)
            light = wide > SHADED_SHARE or inkish.mean() > SHADING_GAIN * inkish_shaded.mean()
            if light and _reaches_border(inkish & ~inkish_shaded):
                ink, shaded_light = shaded, True
                widest = _ridge_widths(ink)[1]

    # Contrast: the typical ink level among the strongest ink, measured on the smoothed ink.
    ink_smooth = filters.gaussian(ink, sigma=1.0) if min(h, w) >= 8 else ink
    strong = ink_smooth > 0.5 * ink_smooth.max()
    peak = float(np.percentile(ink[strong], 90)) if strong.any() else 0.0
    if ink_smooth.max() < MIN_CONTRAST / 2 or peak < MIN_CONTRAST:
        empty = np.zeros_like(gray)
        return Ink(empty, empty.astype(bool), scale)
    absolute = ink
    ink = np.clip(ink / peak, 0.0, 1.0)
    # Noise floor: Otsu's threshold on the normalised ink separates strokes from paper texture.
    t_ink = filters.threshold_otsu(ink) if ink.max() > ink.min() else 0.5
    t_ink = float(np.clip(t_ink, 0.15, 0.6))
    local = np.ones_like(ink, dtype=bool)
    if width > 0:
        # Local thresholding (Sauvola & Pietikainen 2000) vetoes what is no darker than its
        # surroundings: a shadow band or a dim corner is paper, however dark, wherever no stroke is.
        # When some strokes are far bolder than the typical one (a bold digit inside a thin rim),
        # the window spans them: in a window narrower than a stroke, its uniform middle is no
        # darker than its surroundings, and the stroke would be hollowed out.
        window = LOCAL_STROKES * (widest if widest > BOLDER * width else width)
        window = int(np.clip(round(window), 15, 101)) | 1
        local = (1.0 - signal) < filters.threshold_sauvola(1.0 - signal, window_size=window, k=SAUVOLA_K)
    mask = (ink > t_ink) & local
    if paper:
        ink, mask = _without_light(ink, mask)
        ink, mask = _fainter_ink(absolute, ink, mask, peak, t_ink, local, shaded_light)
        if dark:
            ink, mask = _washed_out(smooth, ink, mask, t_ink, local)
        if shaded_light:
            ink, mask = _without_steps(signal, ink, mask, width)
    # Below half the threshold is paper; above it, soft anti-aliased edges (as in MNIST) survive.
    floor = 0.5 * t_ink
    ink = np.clip((ink - floor) / (1.0 - floor), 0.0, 1.0).astype(np.float32)
    return Ink(ink, mask, scale)


def _without_light(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Take out light that passed for ink: a shadow band a few strokes wide, the dark rim of a bright
    spot. Fainter than the strokes but above their threshold, and too narrow for the background
    estimates to follow, it runs in from outside the picture, and its edges are soft.

    Otsu's threshold (Otsu 1979) on the levels of the ink (under ``mask``) splits the strokes from
    what is fainter. A connected piece (8-connectivity) of the fainter class is light when it
    reaches the picture's border, has pixels more than :data:`LIGHT_REACH` from every stroke (a
    stroke's soft edge lies next to it), and its edges are soft: away from the strokes, the median
    gradient magnitude (Sobel, on the ink smoothed by a Gaussian of 1 px) along its boundary,
    divided by its level (90th percentile), is under :data:`SOFT_EDGE` of the same along the
    strokes' boundary. Light varies smoothly (a shadow's penumbra); a pen's or a printer's ink,
    however light (a light digit beside a dark one, cropped tightly, or the lighter half of a
    two-tone digit), has steeper edges, nearly always (see :data:`SOFT_EDGE` for where not). The
    piece's pixels clear of every stroke are taken out, so that no stroke is cut in two.

    Args:
        ink: (H, W) float in [0, 1], normalised ink.
        mask: (H, W) bool, the ink above its threshold.

    Returns:
        ``(ink, mask)``: unchanged when there is no such piece; otherwise the mask without the
        light, and the ink zero on it and within 2 px of it (outside the mask), so that it shows no
        more in the working picture than in the digits' crops.
    """
    if mask.sum() < LIGHT_MIN_PIXELS:
        return ink, mask
    strong = mask & (ink > filters.threshold_otsu(ink[mask]))
    fainter = mask & ~strong
    if not strong.any() or not fainter.any():
        return ink, mask
    labels, _ = ndimage.label(fainter, structure=np.ones((3, 3), int))
    touching = at_border(labels)
    if touching.size == 0:  # the usual case, decided before the distance transform
        return ink, mask
    far = fainter & (ndimage.distance_transform_edt(~strong) > LIGHT_REACH)
    candidates = np.intersect1d(touching, labels[far])
    if candidates.size == 0:
        return ink, mask
    steep, stroke_steep = _steepness(ink, strong)
    edge = far & ~ndimage.binary_erosion(fainter, border_value=1)  # the pieces' edges, clear of strokes
    light_labels = []
    for k in candidates:
        piece = labels == k
        piece_edge = edge & piece
        if not piece_edge.any():
            continue
        level = float(np.percentile(ink[piece], 90))
        if float(np.median(steep[piece_edge])) / level < SOFT_EDGE * stroke_steep:
            light_labels.append(k)
    if not light_labels:
        return ink, mask
    # Only what stands clear of the strokes: light that crosses a stroke, or a bold stroke's gap (a
    # rule across the dark table beside the page), stays, so that no stroke is cut in two.
    return _taken_out(ink, mask, np.isin(labels, light_labels) & far)


def _taken_out(ink: np.ndarray, mask: np.ndarray, removed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(ink, mask)`` with ``removed`` ((H, W) bool: light that passed for ink) taken out: the mask
    without it, and the ink zero on it and within 2 px of it (outside the mask), so that it shows no
    more in the working picture than in the digits' crops."""
    mask = mask & ~removed
    out = ink.copy()
    out[ndimage.binary_dilation(removed, iterations=2) & ~mask] = 0.0
    return out, mask


def _without_steps(
    signal: np.ndarray, ink: np.ndarray, mask: np.ndarray, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Take out the edges of shadows that passed for strokes, on a page where the light fell unevenly.

    A stroke is darker than the paper on every side of it (a valley in the grey levels); the edge
    of a shadow is a step, dark on one side only. Where a shadow band's edge turns faster than the
    stroke-scale background (:func:`_shading`, a grey opening) can follow, the opening undercuts the
    band's shoulder and leaves a strip at the band's own level along it, with the band beside it as
    dark as the strip (a 0 under a band read 8, a 1 read "18", a 7 "74"). A connected piece of
    ``mask`` (8-connectivity) is such a step when at least :data:`STEP_SHARE` of a ring round it
    (from 2 to 2 + the stroke width px away, at least 4, outside the mask) lies within
    :data:`STEP_LEVEL` of its contrast (its median ``signal`` over the paper's median) of its
    level, or above it. The piece is taken out whole; a piece that holds a stroke has paper round
    most of it. Nothing is taken out when every piece is a step.

    Args:
        signal: (H, W) float, ink high (1 - grey for dark ink), before the background is taken out.
        ink: (H, W) float in [0, 1], the normalised ink; mask: (H, W) bool, the ink found.
        width: the strokes' typical width in px (0 when unknown: nothing is done).

    Returns:
        ``(ink, mask)`` without the steps, the ink zero on them and within 2 px of them (outside the
        mask); unchanged when there are none.
    """
    if width <= 0 or mask.sum() < LIGHT_MIN_PIXELS:
        return ink, mask
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), int))
    if n < 2:
        return ink, mask
    near = ndimage.binary_dilation(mask, iterations=3)
    if near.all():
        return ink, mask
    paper = float(np.median(signal[~near]))
    reach = 2 + max(4, round(width))
    steps = []
    for k, box in enumerate(ndimage.find_objects(labels), 1):
        around = tuple(slice(max(0, b.start - reach - 1), b.stop + reach + 1) for b in box)
        piece = labels[around] == k
        distance = ndimage.distance_transform_edt(~piece)
        ring = (distance > 2) & (distance <= reach) & ~mask[around]
        if not ring.any():
            continue
        level = float(np.median(signal[around][piece]))
        if level <= paper:
            continue
        share = float(np.mean(signal[around][ring] >= level - STEP_LEVEL * (level - paper)))
        if share >= STEP_SHARE:
            steps.append(k)
    if not steps or len(steps) == n:
        return ink, mask
    return _taken_out(ink, mask, np.isin(labels, steps))


def _steepness(ink: np.ndarray, strokes: np.ndarray) -> tuple[np.ndarray, float]:
    """How steep the ink's edges are: the gradient magnitude (Sobel) of the ink smoothed by a Gaussian
    of 1 px ((H, W) float), and its median along the boundary of ``strokes`` ((H, W) bool; 0 when
    there are none), which :func:`_without_light` and :func:`_fainter_ink` measure a fainter piece
    against (per unit of its level)."""
    steep = filters.sobel(filters.gaussian(ink, sigma=1.0))
    edge = strokes & ~ndimage.binary_erosion(strokes, border_value=1)
    return steep, float(np.median(steep[edge])) if edge.any() else 0.0


def _fainter_ink(
    absolute: np.ndarray,
    ink: np.ndarray,
    mask: np.ndarray,
    peak: float,
    t_ink: float,
    local: np.ndarray,
    shaded_light: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Judge contrast per component: ink fainter than the darkest, but well above the paper's noise,
    at least :data:`FAINT_LEVEL` of the darkest's contrast and as large as a digit (a light-grey 3
    beside a black 9), or as tall as one with edges as steep as a pen's (a thin light 1 beside a
    bold 2; see :data:`FAINT_HEIGHT`), is kept and brought to full strength, unless it runs along a side of the
    picture (:data:`digits.reading.boxes.ALONG_SIDE`, as for all ink). Where the light was
    uneven, such ink must also keep clear of the picture's border.

    Args:
        absolute: (H, W) ink contrast in [0, 1] (before normalisation).
        ink: (H, W) ``absolute / peak``, clipped to [0, 1].
        mask: (H, W) bool, the ink above ``t_ink``.
        peak, t_ink: the normalisation and the threshold that made them.
        local: (H, W) bool, where the local threshold allows ink (a shadow stays paper).
        shaded_light: the stroke-scale background was used (light fell unevenly on the page):
            faint ink that touches the border is taken for light, not for a digit.

    Returns:
        ``(ink, mask)``: unchanged when there is no such component; otherwise with each faint
        component's ink divided by its own level (its 90th percentile) and thresholded at
        ``t_ink`` of it.
    """
    if not mask.any():
        return ink, mask
    paper = ~ndimage.binary_dilation(mask, iterations=2)
    noise = 1.4826 * float(np.median(np.abs(absolute[paper] - np.median(absolute[paper])))) if paper.any() else 0.0
    low = max(0.5 * MIN_CONTRAST, FAINT_NOISE * noise) / peak
    if low >= t_ink:
        return ink, mask
    labels, n = ndimage.label(ink > low, structure=np.ones((3, 3), int))
    if n == 0:
        return ink, mask
    areas = ndimage.sum_labels(np.ones_like(ink), labels, np.arange(1, n + 1))
    has_mask = ndimage.maximum(mask, labels, np.arange(1, n + 1)).astype(bool)
    mask_labels, m = ndimage.label(mask, structure=np.ones((3, 3), int))
    sizes = np.bincount(mask_labels.ravel())[1:]
    largest = float(sizes.max()) if m else 0.0
    rows = ndimage.find_objects(mask_labels)[int(np.argmax(sizes))][0] if m else slice(0, 0)
    heights = np.array([s[0].stop - s[0].start for s in ndimage.find_objects(labels)])
    large = areas >= FAINT_AREA * largest
    # A thin light digit (a grey 1 beside a bold 2) has a small area but a digit's height.
    thin = ~large & (heights >= FAINT_HEIGHT * (rows.stop - rows.start)) & (areas >= FAINT_THIN_AREA * largest)
    out_ink, out_mask = ink.copy(), mask.copy()
    touching = at_border(labels)
    steep = None
    for k in np.flatnonzero(~has_mask & (large | thin)) + 1:
        if along_a_side(labels, k) or (shaded_light and k in touching):
            # Faint and along a side of the picture (a table or the page's edge), or, on a shaded
            # page, running in from the border: light (the edges of a shadow band that the
            # stroke-scale background leaves as faint lines) comes from outside the picture. On an
            # evenly lit page, a light digit cropped tightly touches the border, but not along a side.
            continue
        inside = labels == k
        level = float(np.percentile(ink[inside], 90))
        if level * peak < MIN_CONTRAST or level < FAINT_LEVEL:
            continue
        if thin[k - 1]:
            # The edges of a shadow band left by the background estimates are as thin and as long,
            # but soft: a pen's stroke has edges about as steep as the darker strokes'.
            if steep is None:
                steep, stroke_steep = _steepness(ink, mask)
            edge = inside & ~ndimage.binary_erosion(inside, border_value=1)
            if float(np.median(steep[edge])) / level < SOFT_EDGE * stroke_steep:
                continue
        near = ndimage.binary_dilation(inside, iterations=2)
        out_ink[near] = np.clip(ink[near] / level, 0.0, 1.0)
        out_mask |= inside & (out_ink > t_ink) & local
    return out_ink, out_mask


def _washed_out(
    gray: np.ndarray, ink: np.ndarray, mask: np.ndarray, t_ink: float, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ink washed out by glare (a lamp's reflection on a whiteboard or glossy paper): the glare
    lifts the ink far more than the paper, which is near white already, so the stroke fades along
    its length under one threshold, and the faded part is cut off the digit (0 read 7, 4 read "11").

    Where the paper is brighter than the picture's typical paper (its median away from the ink) by
    :data:`GLARE_RISE` (a grey closing of the lightly smoothed picture, on its 96 px copy, takes the
    strokes out), the ink is
    thresholded again by hysteresis (Canny 1986): what is above :data:`GLARE_LOW` of the threshold,
    and joined to ink already found, is ink too, brought to the level of the threshold (divided by
    it). Dark ink on light paper only; nothing changes where no paper is that bright.

    Args:
        gray: (H, W) float in [0, 1], 1 = white, the lightly smoothed picture.
        ink: (H, W) float in [0, 1], the normalised ink; mask: (H, W) bool, the ink found.
        t_ink: the threshold that made ``mask``; local: (H, W) bool, where Sauvola's allows ink.

    Returns:
        ``(ink, mask)``, with the washed-out ink added.
    """
    if not mask.any():
        return ink, mask
    small = _small_copy(gray)
    paper = ndimage.gaussian_filter(ndimage.grey_closing(small, size=(GLARE_WINDOW, GLARE_WINDOW)), 2)
    # The typical paper is measured away from the ink: a bold digit filling the frame is wider than
    # the closing's window, and would pass for the picture's typical "paper".
    clear = transform.resize(mask.astype(np.float32), small.shape, order=1) < 0.05
    if not clear.any():
        return ink, mask
    bright = paper > np.median(paper[clear]) + GLARE_RISE
    if not bright.any():
        return ink, mask
    glare = transform.resize(bright.astype(np.float32), gray.shape, order=0) > 0.5
    low = (ink > GLARE_LOW * t_ink) & local & (glare | mask)
    labels, _ = ndimage.label(low, structure=np.ones((3, 3), int))
    joined = np.unique(labels[mask & low])
    add = np.isin(labels, joined[joined > 0]) & ~mask
    if not add.any():
        return ink, mask
    out = ink.copy()
    out[add] = np.clip(ink[add] / t_ink, 0.0, 1.0)
    return out, mask | add


def remove_ruling(ink: np.ndarray) -> np.ndarray:
    """Take the lines of ruled or squared paper out of the ink.

    A grey opening of the ink with a line-shaped footprint (:data:`RULE_LENGTH` of the picture's
    width, one row, after a 3-row dilation so that a line slanted by a pixel or two still fits)
    keeps only what runs straight across the page; where it finds at least :data:`MIN_RULES`
    separate thin lines (:data:`MAX_RULE_WIDTH` px at most), they are ruling, and their level is
    subtracted (a stroke that crosses a line
    keeps the rest of its ink). The same is done with columns, for squared paper. A single long
    bar (the top of a 7 as wide as the picture) is left alone, and so are two rules joined by the
    walls of a row of boxes (:func:`_box_rows`: a form's comb fields, one under the other). The
    page may have been photographed turned a few degrees: where the thin ink is busy, a Hough
    transform (Duda & Hart 1972) looks for rules within :data:`GRID_TILT` degrees of the rows
    (:func:`_ruling_tilt`), and where they lie more than :data:`GRID_STRAIGHT` off, they are found
    instead in the picture turned by that angle.

    Args:
        ink: (H, W) float in [0, 1], ink high.

    Returns:
        (H, W) float32, ``ink`` with the ruling taken out (``ink`` itself when there is none).
    """
    ink = np.asarray(ink, dtype=np.float32)
    # A rule is at least a tenth as dark as the ink (squared paper's lines are a fifth to a half).
    floor = max(0.5 * MIN_CONTRAST, 0.1 * float(np.percentile(ink, 99.5)))
    # Only what is thin counts (a white top-hat): paper texture and broad strokes do not. Both
    # directions are found on it, so that where lines cross, each keeps the other's pixels.
    thin = ink - ndimage.grey_opening(ink, size=(MAX_RULE_WIDTH + 2, MAX_RULE_WIDTH + 2))
    ruling = _ruling(thin, floor)
    tilt = _ruling_tilt(thin, floor)
    if tilt is not None:
        # Turned so that the rules run along the rows (the corners the turn brings in are empty),
        # found there, and turned back onto the picture.
        h, w = ink.shape
        turned = _ruling(transform.rotate(thin, tilt, resize=True, order=1), floor)
        if turned.any():
            back = transform.rotate(turned, -tilt, resize=True, order=1)
            top, left = (back.shape[0] - h) // 2, (back.shape[1] - w) // 2
            back = back[top : top + h, left : left + w].astype(np.float32)
            # The two interpolations spread each rule: widened by a pixel each side, it leaves no
            # edge, but only over paper: where a stroke crosses, widened it would cut the stroke.
            level = float(back.max())
            ruling = np.where(ink > 1.5 * level, back, ndimage.maximum_filter(back, size=3))
    return ink if not ruling.any() else np.clip(ink - np.minimum(ruling, ink), 0.0, None)


def _ruling(thin: np.ndarray, floor: float) -> np.ndarray:
    """The level of the rules found along the rows and the columns of ``thin`` ((H, W) float, the
    thin ink), as :func:`remove_ruling` describes: (H, W) float32, 0 where there is none."""
    ruling = np.zeros_like(thin, dtype=np.float32)
    for axis in (1, 0):  # horizontal lines run along axis 1 (columns), vertical ones along axis 0
        length = round(RULE_LENGTH * thin.shape[axis])
        if length < 2 * MIN_RULE_PX:
            continue
        thick = ndimage.maximum_filter1d(thin, 3, axis=1 - axis)
        lines = ndimage.maximum_filter1d(ndimage.minimum_filter1d(thick, length, axis=axis), length, axis=axis)
        present = lines.max(axis=axis) > floor  # rows (or columns) a line crosses
        runs, n = ndimage.label(present)
        widths = np.bincount(runs, minlength=n + 1)
        rules = (widths <= MAX_RULE_WIDTH)[runs] & present  # a pen stroke is wider than a printed rule
        enough = n and ndimage.label(rules)[1] >= MIN_RULES
        # Rows of boxes are no ruling (only looked for where there would be ruling to take out).
        boxed = _box_rows(thin, rules, floor) if enough and axis == 1 else np.zeros_like(rules)
        if boxed.any():
            rules &= ~boxed
            enough = ndimage.label(rules)[1] >= MIN_RULES
        if enough:
            # A bold digit breaks the rules that cross it: the opening finds no stretch long enough
            # beside it, and where the found rules are evenly spaced, the rules between and beside
            # them are there too. Along every rule, its thin ink is taken out, at most the found
            # rules' level, so that a pen stroke crossing one keeps the rest of its ink.
            level = float(np.median(lines.max(axis=axis)[rules]))
            along = np.minimum(thin, level) * np.expand_dims(rules | (_missing_rules(rules) & ~boxed), axis)
            ruling = np.maximum(ruling, np.maximum(lines * np.expand_dims(rules, axis), along))
    return ruling


def _box_rows(thin: np.ndarray, rules: np.ndarray, floor: float) -> np.ndarray:
    """The rules of ``rules`` ((H,) bool, rows a rule crosses in ``thin``, (H, W) float, the thin
    ink) that are the top and bottom lines of a row of boxes (a form's comb field): two consecutive
    rules joined by at least :data:`BOX_WALLS` walls, each ink on :data:`BOX_WALL_ROWS` of the rows
    between them (a pixel's lean allowed) and on fewer than half of the rows as far again as a
    quarter of the gap beyond either rule, with a wall within that quarter of each end of the upper
    rule (a ruled page's rules run on past the writing between them). Two rows of boxes, one under
    the other, have four such lines: taken out as ruling, they left the walls, read as 1s.
    Returns (H,) bool."""
    runs, n = ndimage.label(rules)
    boxed = np.zeros_like(rules)
    if n < 2:
        return boxed
    spans = [sl[0] for sl in ndimage.find_objects(runs)]
    inked = ndimage.maximum_filter1d(thin, 3, axis=1) > floor
    for k, (top, bottom) in enumerate(itertools.pairwise(spans)):
        gap = bottom.start - top.stop
        if gap < 2 * MAX_RULE_WIDTH:
            continue
        reach = max(2, gap // 4)
        walls = (
            (_inked_share(inked, top.stop, bottom.start) >= BOX_WALL_ROWS)
            & (_inked_share(inked, top.start - reach, top.start) < 0.5)
            & (_inked_share(inked, bottom.stop, bottom.stop + reach) < 0.5)
        )
        at = np.flatnonzero(walls)
        rule = np.flatnonzero(_inked_share(inked, top.start, top.stop) >= 0.5)
        if not len(at) or not len(rule) or ndimage.label(walls)[1] < BOX_WALLS:
            continue
        if at[0] <= rule[0] + reach and at[-1] >= rule[-1] - reach:
            boxed |= (runs == k + 1) | (runs == k + 2)
    return boxed


def _inked_share(inked: np.ndarray, start: int, stop: int) -> np.ndarray:
    """(W,) float: the share of rows ``start`` to ``stop`` (clipped to the picture; none: 0) of
    ``inked`` ((H, W) bool) that are ink in each column."""
    rows = inked[max(0, start) : min(inked.shape[0], stop)]
    return rows.mean(axis=0) if len(rows) else np.zeros(inked.shape[1])


def _ruling_tilt(thin: np.ndarray, floor: float) -> float | None:
    """The angle, in degrees (counter-clockwise, as ``skimage.transform.rotate`` turns), by which a
    page photographed turned must be turned back for its rules to run along the rows; None when no
    ruling is found within :data:`GRID_TILT` degrees, or it is within :data:`GRID_STRAIGHT` of the
    rows (:func:`_ruling` finds it there).

    The thin ink above ``floor`` is Hough-transformed (``skimage.transform.hough_line``) at angles
    every :data:`GRID_STEP` degrees near the rows' direction; at each, a rule is a run of distances
    whose lines hold at least :data:`RULE_LENGTH` of the picture's width of ink. The angle with the
    most rules, at least :data:`MIN_RULES`, wins. Only near the rows: a few slanted 1s in a tight
    crop are near the columns' direction, and a turned square grid has rules along both.
    """
    mask = thin > floor
    h, w = mask.shape
    # Rules across the page are a good share of the thin ink's pixels (rules every 15-30 px, 1-2 px
    # wide: 5-20% of the picture); a digit alone is far less, and is not searched (the transform
    # is a tenth of a photo's reading).
    if w < 2 * MIN_RULE_PX or mask.mean() < GRID_SHARE:
        return None
    # On a copy half as large (each pixel the most of four, so that no rule is lost): a quarter of the time.
    half = mask[: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2).any(axis=(1, 3))
    tilts = np.arange(-GRID_TILT, GRID_TILT + 1e-9, GRID_STEP)
    acc, _, _ = transform.hough_line(half, theta=np.deg2rad(90.0 + tilts))
    long = acc >= RULE_LENGTH * half.shape[1]
    counts = np.array([ndimage.label(column)[1] for column in long.T])
    # Among the angles with the most rules, the one where they are sharpest: the most ink on them.
    sharp = np.where(counts == counts.max(), np.where(long, acc, 0).sum(axis=0).astype(float), -1.0)
    best = int(np.argmax(sharp))
    if counts[best] < MIN_RULES or abs(tilts[best]) < GRID_STRAIGHT:
        return None
    return float(tilts[best])


def _missing_rules(rules: np.ndarray) -> np.ndarray:
    """Rows (or columns) of an evenly spaced ruling that were not found.

    Args:
        rules: (N,) bool, the rows (or columns) where a rule was found.

    Returns:
        (N,) bool: bands as wide as the widest found rule (plus :data:`RULE_SLACK` px each side)
        where the lattice of the found rules (their median spacing, their mean phase) puts a rule
        that was not found; all False when the found rules are not evenly spaced (fewer than
        :data:`REGULAR_SHARE` of them within :data:`RULE_JITTER` of a period from the lattice).
    """
    runs, n = ndimage.label(rules)
    missing = np.zeros_like(rules)
    if n < MIN_RULES:
        return missing
    centres = np.asarray(ndimage.center_of_mass(rules, runs, np.arange(1, n + 1)))[:, 0]
    period = float(np.median(np.diff(centres)))
    if period < 2 * MAX_RULE_WIDTH:
        return missing
    angle = 2 * np.pi * centres / period
    phase = float(np.angle(np.exp(1j * angle).mean())) * period / (2 * np.pi)
    offsets = (centres - phase) / period
    if np.mean(np.abs(offsets - np.round(offsets)) <= RULE_JITTER) < REGULAR_SHARE:
        return missing
    half = np.bincount(runs.ravel())[1:].max() / 2 + RULE_SLACK
    positions = phase % period + period * np.arange(int(len(rules) // period) + 1)
    index = np.arange(len(rules))
    for p in positions:
        if np.min(np.abs(centres - p)) > period / 4:
            missing |= np.abs(index - p) <= half
    return missing


def dark_ink(gray: np.ndarray) -> bool:
    """Polarity: True when the picture is dark ink on light paper.

    The border is the witness of the paper: a digit drawn or photographed on paper leaves most of
    the picture's border (its outer :data:`BORDER` of the shorter side, at least 1 px) on the paper's
    side of Otsu's threshold, even when a bold digit fills most of the frame. When the border is
    split (between 35% and 65% light: a shadow band across the page), the side with more features
    narrower than :data:`POLARITY_WINDOW` of the picture (black against white top-hat) is the ink.

    Args:
        gray: (H, W) float in [0, 1], 1 = white (lightly smoothed, so noise does not vote).

    Returns:
        True for dark ink on a light background, False for light ink on a dark one.
    """
    return _polarity(gray)[0]


def _polarity(gray: np.ndarray) -> tuple[bool, float]:
    """:func:`dark_ink`'s answer, and the share of the border on the light side (see
    :func:`_border_light`), which :func:`extract_ink` reads as well."""
    border = _border_light(gray)
    if border >= 0.65 or border <= 0.35:
        return border >= 0.65, border
    # Light falling off across the page splits the border between the lit and the dim paper: with
    # the light divided out (by the picture blurred far beyond its strokes), the border is one paper.
    h, w = gray.shape
    small = _small_copy(gray)  # the light, blurred far beyond the strokes, on a small copy
    light_level = transform.resize(ndimage.gaussian_filter(small, FLATTEN * min(small.shape)), (h, w), order=1)
    light = _border_light(gray / (light_level + 1e-3))
    if light >= 0.65 or light <= 0.35:
        return light >= 0.65, border
    # A split border: light that falls across the page (a shadow band, a lit half) or a digit that
    # reaches it. Ink is the side that makes strokes: features narrower than a window of a tenth of
    # the picture, which a grey closing (dark ink) or opening (light ink) of that size takes away
    # (the black and white top-hats, Serra 1982). A shadow's edge is a step, which both keep.
    size = max(3, round(POLARITY_WINDOW * min(h, w)))
    dark = float(np.mean(ndimage.grey_closing(gray, size=(size, size)) - gray))
    bright = float(np.mean(gray - ndimage.grey_opening(gray, size=(size, size))))
    return dark >= bright, border


def paper_sheet(gray: np.ndarray) -> np.ndarray | None:
    """The sheet of paper in a picture whose border is a darker surround (a desk round the page of
    an uncropped phone photo, or along one of its sides), or None.

    The sheet is the largest connected piece of the light side of Otsu's threshold, taken with its
    convex hull (so that strokes reaching the sheet's edge stay inside it). It is a sheet when that
    hull covers at least :data:`SHEET_AREA` of the picture, the piece with its holes filled fills at
    least :data:`SHEET_SOLIDITY` of the hull (paper is convex; a light digit's loops are not), and
    the dark inside the hull is strokes: some there is, at most :data:`SHEET_INK` of the hull, none
    of it wider than :data:`SHEET_STROKE` of the hull's shorter side, and long for its width
    (:data:`SHEET_ELONGATION`). The dark inside a bold light digit on a dark ground (the counter of
    a 0) is compact, and a plate on a wall is most of its hull.

    Args:
        gray: (H, W) float in [0, 1], 1 = white (lightly smoothed).

    Returns:
        (H, W) bool mask of the sheet (its convex hull less its blurred edge, see
        :data:`SHEET_EDGE`), or None when there is no such sheet.
    """
    if np.ptp(gray) <= 0:
        return None
    light = gray > filters.threshold_otsu(gray)
    labels, n = ndimage.label(light)
    if n == 0:
        return None
    largest = labels == 1 + int(np.argmax(ndimage.sum_labels(light, labels, np.arange(1, n + 1))))
    if largest.mean() < SHEET_AREA * SHEET_SOLIDITY:
        return None
    hull = morphology.convex_hull_image(largest)
    rows, cols = np.flatnonzero(hull.any(1)), np.flatnonzero(hull.any(0))
    box = np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # the work is done within the hull's box
    if hull.mean() < SHEET_AREA or ndimage.binary_fill_holes(largest[box]).sum() < SHEET_SOLIDITY * hull.sum():
        return None
    shorter = min(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    # Paper is a polygon of a few straight sides (the picture's border may be some of them); a bold
    # light 0 or 8 that fills its hull as well is round.
    outline = measure.find_contours(np.pad(hull[box], 1).astype(np.float32), 0.5)[0]
    if len(measure.approximate_polygon(outline, SHEET_CORNER_TOLERANCE * shorter)) - 1 > SHEET_CORNERS:
        return None
    inside = hull[box] & ~light[box]
    if not inside.any() or inside.sum() > SHEET_INK * hull.sum():
        return None
    strokes = np.pad(inside[ndimage.find_objects(inside.astype(np.int8))[0]], 1)
    widest = 2.0 * float(ndimage.distance_transform_edt(strokes).max())
    if widest > SHEET_STROKE * shorter or inside.sum() < SHEET_ELONGATION * widest**2:
        return None
    # The sheet's blurred edge, darker than its paper, would pass for a line of ink: it is left out.
    margin = max(SHEET_EDGE_PX, round(SHEET_EDGE * min(gray.shape)))
    return ndimage.binary_erosion(hull, iterations=margin, border_value=1)


def _border_light(gray: np.ndarray) -> float:
    """Share of the picture's border (its outer :data:`BORDER` of the shorter side, at least 1 px) on
    the light side of Otsu's threshold."""
    t = filters.threshold_otsu(gray) if np.ptp(gray) > 0 else 0.5
    h, w = gray.shape
    b = max(1, round(BORDER * min(h, w)))
    ring = np.concatenate([gray[:b].ravel(), gray[-b:].ravel(), gray[b:-b, :b].ravel(), gray[b:-b, -b:].ravel()])
    return float(np.mean(ring > t))


def _stroke_width_estimate(ink: np.ndarray) -> tuple[float, float, float]:
    """The width of the strokes, and how much of the ink is far wider than them.

    Returns:
        ``(width, wide, widest)``: ``width`` in pixels is twice the :data:`RIDGE_PERCENTILE` th percentile
        of the distance to the paper along the ridges of the distance transform (the medial axis) of
        the strong ink (above :data:`STRONG_INK` of its 99.5th percentile: a shadow is fainter
        than the strokes, and does not count); ``wide`` is
        the share of all that could pass for ink (above 25% of that percentile) that lies more
        than ``2 * width`` from the paper (a band or a patch four strokes wide or more); ``widest``
        is twice the :data:`WIDEST_PERCENTILE` th percentile of the same distances (the boldest
        strokes). ``(0, 0, 0)`` when there is no ink.
    """
    width, widest = _ridge_widths(ink)
    if width <= 0:
        return 0.0, 0.0, 0.0
    mask = _inkish(ink)  # all that could pass for ink, a shadow included
    return width, float(np.mean(ndimage.distance_transform_edt(mask)[mask] > 2.0 * width)), widest


def _ridge_widths(ink: np.ndarray) -> tuple[float, float]:
    """``(width, widest)`` of :func:`_stroke_width_estimate`, in pixels, from the ridges of the
    strong ink alone; ``(0, 0)`` when there is no ink or no ridge."""
    top = float(np.percentile(ink, 99.5))
    if top <= 0 or ink.max() <= ink.min():
        return 0.0, 0.0
    strong = ink > STRONG_INK * top
    dist = ndimage.distance_transform_edt(strong)
    ridge = strong & (dist >= ndimage.maximum_filter(dist, size=3)) & (dist >= 1.5)  # lines and specks do not count
    if not ridge.any():
        return 0.0, 0.0
    width, widest = (2.0 * float(v) for v in np.percentile(dist[ridge], [RIDGE_PERCENTILE, WIDEST_PERCENTILE]))
    return width, widest


def _inkish(ink: np.ndarray) -> np.ndarray:
    """(H, W) bool: all that could pass for ink, above a quarter of the strongest ink (its 99.5th
    percentile); nothing when there is no ink."""
    top = float(np.percentile(ink, 99.5))
    return ink > 0.25 * top if top > 0 else np.zeros(ink.shape, bool)


def _reaches_border(removed: np.ndarray) -> bool:
    """True when at least :data:`LIGHT_AT_BORDER` of ``removed`` ((H, W) bool) lies in connected
    pieces (8-connectivity) that touch the picture's border."""
    labels, n = ndimage.label(removed, structure=np.ones((3, 3), int))
    if n == 0:
        return False
    return bool(np.isin(labels[removed], at_border(labels)).mean() >= LIGHT_AT_BORDER)


def _shading(signal: np.ndarray, radius: float) -> np.ndarray:
    """The lighting under the ink, at the scale of the strokes: a grey opening (square window of
    ``2 * radius + 1`` pixels, at full working resolution so that neighbouring strokes do not blur
    into one) smoothed by a Gaussian of ``radius / 2``; a constant when it varies by under :data:`EVEN_LIGHT`."""
    r = max(1, round(radius))
    bg = ndimage.gaussian_filter(ndimage.grey_opening(signal, size=(2 * r + 1, 2 * r + 1)), r / 2)
    return _flat_or(bg, signal.shape)


def _background(signal: np.ndarray, radius_frac: float = 0.25, small_side: int = 96) -> np.ndarray:
    """Background level of a signal whose ink is high: a grey opening with a window wider than any
    stroke (``radius_frac`` of the longer side) removes the ink and keeps the lighting, even a
    linear gradient, which an opening leaves unchanged. Computed on a copy at most
    ``small_side`` pixels long, for speed. When the lighting is even (the estimate varies by
    under :data:`EVEN_LIGHT`) a constant is returned, so clean input is left untouched.
    """
    small = _small_copy(signal, small_side)
    r = max(1, round(radius_frac * max(small.shape)))
    # A square window: separable, so fast, and like a disc it leaves linear gradients unchanged.
    bg_small = filters.gaussian(ndimage.grey_opening(small, size=(2 * r + 1, 2 * r + 1)), sigma=r / 2)
    return _flat_or(bg_small, signal.shape)


def _small_copy(signal: np.ndarray, longest: int = 96) -> np.ndarray:
    """``signal`` ((H, W) float) resized, with anti-aliasing, to at most ``longest`` pixels on its
    longer side (unchanged in size when it is already that small): lighting is estimated there."""
    h, w = signal.shape
    f = min(1.0, longest / max(h, w))
    return transform.resize(signal, (max(1, round(h * f)), max(1, round(w * f))), anti_aliasing=True)


def _flat_or(bg: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A lighting estimate at ``shape`` (float32): the constant median of ``bg`` when it varies by
    under :data:`EVEN_LIGHT` (even light: clean input is left untouched), else ``bg`` resized."""
    if np.ptp(bg) < EVEN_LIGHT:
        return np.full(shape, float(np.median(bg)), np.float32)
    return bg.astype(np.float32) if bg.shape == shape else transform.resize(bg, shape, order=1).astype(np.float32)
