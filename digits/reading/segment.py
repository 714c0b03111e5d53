"""Split ink into digits: connected components, cleaned and grouped, ordered left to right.

The third stage of the reading pipeline.

The classic approach of document-recognition pipelines (e.g. the segmentation stage of LeCun
et al. 1998, "Gradient-based learning applied to document recognition", section V): label the
connected components of the binary ink (8-connectivity), merge the fragments of one character by
their horizontal overlap, then read the groups from left to right. In uploads, the lines of the
boxes or the field that the digits were written in (a form's comb field) are taken out first
(:func:`box_walls`): a digit that touches its box would be one component with it. Before grouping,
what is clearly not a digit is dropped, but never the only large component:

- specks: components under 2% of the largest one's area (noise, JPEG artefacts, paper grain),
  unless they lie within a fifth of a digit's height of that digit's ink (a faint stroke that
  thresholding broke into pieces), which they then rejoin;
- frames: a component whose bounding box encloses other ink (at least a fifth of its own area)
  while its own ink lies along the edges of that box (a border drawn around the digit, the edge
  of a sign);
- components that run along a whole side of the picture (at least
  :data:`digits.reading.boxes.ALONG_SIDE` of that side's border is theirs: the edge of the paper, a
  shadow band, a frame), and straight lines from one
  side to the opposite one (a ruled line, at least :data:`LINE_ASPECT` times longer than wide). A
  digit that merely touches the edge (drawn "as big as the box", or running off it) is kept;
- small marks: groups under 40% of the tallest group's height and 15% of its area (watermark
  text in a corner, a stray dot), unless they sit next to a digit, which they then join (the top
  bar of a 5 that sticks out past its body, a sliver cut off a stroke).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from skimage import draw, graph, measure, morphology, transform

from digits.reading.boxes import along_a_side, bounding_box, run_past_ends

#: Specks (see the module notes) this close to a digit's ink, as a fraction of the tallest digit's
#: height, are pieces of its strokes and stay with it.
SPECK_REACH = 0.2
#: A frame (see the module notes) encloses other ink of at least a fifth of its own area, or a piece
#: at least this fraction of its height (a thin digit inside a plate's rim).
FRAMED_HEIGHT = 0.4
#: Fragments whose x-ranges overlap by at least this fraction of the narrower one are one digit.
MERGE_OVERLAP = 0.35
#: A component from one side to the opposite one whose box is this many times longer than wide is a line.
LINE_ASPECT = 8
#: An underline (see :func:`_underlines`): a bar this many times wider than tall, under pieces this
#: many times taller than it, clear of them by this share of their height, and under two of them
#: or this many times wider than the one.
UNDERLINE_ASPECT = 4.0
UNDERLINE_TALLER = 3.0
UNDERLINE_GAP = 0.03
UNDERLINE_WIDER = 1.1
#: A line in at least ``LINE_PIECES`` pieces (cut by the rules crossing it) may stop short of each
#: side by ``LINE_REACH`` of the picture: its end pieces are specks, rejoined later. A digit is one or
#: two pieces, so a tall thin 1 near the top and bottom of a tight crop is not taken for one.
LINE_PIECES = 3
LINE_REACH = 0.1
#: ... and at least this many times taller than the tallest digit left: a thin 1 in three pieces
#: (two pen skips) that spans a tight crop had been dropped as a line ("17" read "7": 58 of 150
#: such strings in an independent review).
LINE_OVER_DIGITS = 1.5
#: Neighbouring groups whose gap is at most this fraction of their joint height may be one digit
#: written in two strokes (a 4 whose stem stands apart, a 5 whose bar floats, a stroke broken
#: across): a hypothesis that the network settles (:func:`merge_candidates`).
MERGE_GAP = 0.25
#: A stroke cut across without the digit falling apart (a loop cut open: a 6 that reads 5, a 0 that
#: reads C) is closed as a hypothesis that the network settles (:func:`close_gap`): from the end of a
#: stroke to the nearest point of another stroke at most this fraction of the digit's longer side
#: away ...
CLOSE_GAP = 0.3
#: ... whose way round through the ink (along the skeleton) is at least this many times that gap
#: and :data:`CLOSE_ROUND` of the digit's longer side (a stroke's own curve is no gap).
CLOSE_DETOUR = 3.0
CLOSE_ROUND = 0.3
#: :func:`close_gap` looks at a digit brought down to at most this many pixels on its longer side.
CLOSE_WORK = 64
#: ... when together they are at most this many times as wide as tall. Above 1: a 5 whose top bar is
#: cut off sticks out to the right, and a 4 broken at the top of its stem leaves a short piece up to
#: its right (read "41"). Chosen on validation-built pictures (1,000 each of broken_stroke,
#: canvas_edge, touching and two_tones, 300 of every other variant): from 1.0, 1.2 read 4 more
#: right, 1.3 nine (broken_stroke +7, phone_light +1, touching +1) and 1.4 lost a two_tones picture.
MERGE_ASPECT = 1.3
#: ... but 1.0 on the canvas, where digits are drawn side by side with little space between them:
#: at 1.3, canvas_edge lost 6 of 1,000 pictures (two neighbours merged) and gained none.
CANVAS_MERGE_ASPECT = 1.0
#: A group at least this many times as wide as tall may be two digits that touch ("00", "11"): a
#: hypothesis cut where its ink is shortest in its middle third (:func:`split_candidates`). Below 1, so
#: that two narrow digits that touch ("17", "41") are offered too; the network and the prior against
#: splitting (:data:`digits.network.recognize.SPLIT_COST`) keep a single digit whole. On 300
#: validation-built pictures per variant, 1.1 -> 0.8 read one more touching pair right and moved
#: nothing else (0.7 lost a frame-filling digit).
SPLIT_ASPECT = 0.8
#: ... but on the canvas, which is read after every stroke, from 0.9: each hypothesis costs two
#: more normalisations. At 1.1 (wider than tall) only 8% of single canvas digits were cut, but two
#: digits drawn touching were often narrower than that ("17", "10"); at 0.9, 27% are cut (a canvas
#: reading's preparation 6.7 -> 7.2 ms on average over 1,000 validation-built canvas digits),
#: 85.0% -> 86.8% of 500 validation-built canvas pairs drawn close (their boxes overlapping 2-11 px;
#: 163 touch in ink) are read right (with the split prior
#: of :data:`digits.network.recognize.CANVAS_SPLIT_COST`: 87.6% -> 89.6%) and one of the 1,000 single
#: digits is lost (a 9 whose loop is open read "01"); 0.8 read 0.4 points more pairs, lost a single
#: digit more and cost 0.5 ms more.
CANVAS_SPLIT_ASPECT = 0.9
#: ... and only where its ink at the cut spans at most this share of its height (``join``, see
#: :func:`split_candidates`; the split prior grows with it, see
#: :data:`digits.network.recognize.CANVAS_SPLIT_JOIN_COST`): a cut across a wide 3 or 0 crosses its
#: top and bottom. A cut's two halves are two more normalisations: the speed benchmark's canvas digit,
#: a wide 3 (join 0.9), took 10.9 ms with them and 7.2 ms without. On validation-built canvas pictures
#: (two draws of 500 pairs drawn close and 1,000 single digits, and 500 canvas_edge), 0.6, 0.7 and no
#: limit read the same answers but for one single digit more right at 0.6 and 0.7, and 0.7 cut 166
#: of 1,000 single digits (no limit: 268); on an independent review's canvas pictures pushed together
#: until their ink overlaps (60 per kind, validation digits), read right at 0.6 / 0.7 / no limit:
#: random pairs 36 / 38 / 39, "23" 49 / 51 / 51, three digits 4 / 5 / 6.
CANVAS_SPLIT_JOIN = 0.7
#: A canvas group narrower than :data:`CANVAS_SPLIT_ASPECT`, down to this width / height, is also
#: offered cut where its ink at the cut spans at most :data:`CANVAS_NARROW_SPLIT_JOIN` of its height:
#: a 1 whose stroke meets the next digit ("13", "17", "41": two digits drawn touching, one of them
#: narrow) is narrower than two round digits side by side, and meets it at a point. A piece cut by
#: the canvas's top or bottom is measured here by its height as drawn (``run_on``: a 5 cut at its top
#: was sliced and read "11"). On 500
#: validation-built canvas pairs drawn touching (a 1 in every other pair, strokes meeting end to end
#: or overlapping by up to 0.6 of the pen), 1,000 single canvas digits and 500 canvas_edge pictures:
#: 424 / 975 / 474 read right before; 0.7 without a join limit 435 / 974 / 472 (the cuts lost were
#: across a 4 or 5, join 0.27-0.52, and one at 0.03); 0.6 and 0.5 read one and two pairs more.
CANVAS_NARROW_SPLIT_ASPECT = 0.7
CANVAS_NARROW_SPLIT_JOIN = 0.25
#: A group offered a cut (:data:`SPLIT_ASPECT`; on the canvas, :data:`CANVAS_SPLIT_ASPECT` and the
#: narrow rule) is also cut along a path (:func:`cut_in_two`) between this share of its width and 1
#: minus it, beside the straight cut in its middle third (:func:`split_candidates`), which left pieces
#: of one digit with the other (a 5's top bar with the 1 it touches, read "7"; the base of a 2 under
#: the next digit) or missed the joint of a 1 ("21", "41"; on the canvas a 1 drawn over a 0's side, a
#: 1 touching a 7's bar). On the validation-built "as people make them" set (500 pictures per
#: variant): touching 484 -> 486, frame_filling 484 -> 483 (a bold 8 read "95"), every other row the
#: same; the first table's validation-built strings (200 per length) 986 of 1,000 either way (987 with
#: the path alone, without the straight cut; two rings touching side by side, "00", need the straight
#: one). Without the fragments' removal, the same touching answers. On validation-built canvas pairs
#: drawn touching (two draws of 500, a 1 in every other pair): 433 -> 439 and 416 -> 427; 1,000 single
#: canvas digits 975 either way; canvas_edge 474 -> 473 (a 4 cut by the bottom edge, read weakly,
#: cut into "11"). The path alone on the canvas had read 432, 976 and 473.
CUT_SPAN = 0.2
#: ... paying this much per pixel of ink it crosses (paper: 1 a pixel): crossing a stroke 6 px wide
#: is worth a detour of 54 px.
CUT_INK_COST = 10.0
#: ... and each half loses the components smaller than this share of its largest.
CUT_FRAGMENT = 0.2
#: More separate marks than this (components left once the specks are dropped) is texture, not digits:
#: the busiest picture of digits in the project's sets (real pictures, both robustness tables) holds
#: 8, the non-digit gallery's busiest photo 72. The merging is near-linear in their number
#: (:func:`merge_overlapping`), but the fragments and specks still go by pairs, and each group found
#: is normalised and read: the cap bounds that time (a lattice of 8,281 dots took 9 s before it).
MAX_MARKS = 200
#: More digits than this, once the marks are grouped, is texture too (stripes, a lattice of bars): each
#: digit is normalised and read, with the hypotheses between neighbours. The longest strings read
#: here have 5 digits; a phone number written out has 15. At the cap, a reading takes about half a second.
MAX_DIGITS = 24
#: Boxes and fields written in (see :func:`_walls`): lines within this many degrees of the rows, ...
FORM_TILT = 5
#: ... along the top and bottom at least this share of the ink's width long, ...
FORM_SPAN = 0.8
#: ... each within this share of its height from that side, ...
FORM_EDGE = 0.15
#: ... the ink at least this many times as wide as the height between them (a box is about square, a
#: field of boxes wider: a printed 3 or 2 with a flat top and base is narrower), ...
FORM_WIDE = 0.9
#: ... the two at most this many degrees apart (a form photographed at a slant; a 3's top and base
#: curve away from each other), ...
FORM_SKEW = 2.0
#: ... and at most this share of the height between them thick; walls as thin, spanning this share
#: of that height; ...
FORM_THIN = 0.08
FORM_WALL = 1.0
#: ... walls no thicker than this many times the thicker line (a form's walls are drawn with its
#: lines' pen; a straight handwritten 1 reaching both lines is a pen stroke, thicker), ...
FORM_WALL_THICKER = 1.5
#: ... walls being ink on at least this share of their rows between the lines, ...
FORM_CONTINUOUS = 0.95
#: ... (a line's band of Hough bins grown by at most this many on each side for its soft edges), ...
FORM_GROW = 2
#: ... and a line's ink reaching this many pixels past its band on either side (what is taken out
#: as the line, and where :func:`_flanked` starts to look beyond it), ...
FORM_MARGIN = 1.5
#: ... in ink at least this many pixels high and wide, ...
FORM_SMALLEST = 16
#: ... the height between the two lines, inside them, at least this many pixels (at the working
#: size; a picture smaller than that is not enlarged, so this is its own pixels: a field of 18 boxes
#: or so across a 480 px picture. MNIST's own 28x28 pictures, uploaded as they are, hold 20 px digits
#: whose flat top and base, 2 px thick, pass for a form's lines: 9 of 10,000 test digits, 2s and 3s,
#: and 8 of 10,000 Fashion-MNIST items had "lines" taken out), ...
FORM_LOWEST = 24
#: ... and each line a line in the ink, not a band inside a thick stroke: along at most this share of
#: its length does the ink run on past both its sides (within its thickness and 2 px more). A digit
#: touching a form's line meets it over a short run, mostly from one side; a digit's flat top drawn
#: thick holds a thin straight band that the Hough transform finds as sharp as a form's line (MNIST
#: digits drawn ten times larger: 7 of the first 4,000 training digits, mostly 3s, had "lines"; at
#: 0.5, 2 of them). On 424 validation-built pictures of boxes and comb fields, drawn and photographed,
#: the share was at most 0.19 (0.14 for 99% of them).
FORM_FLANKED = 0.3
#: ... (each component looked at alone at least this share of the largest one's area), ...
FORM_AREA = 0.2
#: ... with at least this much ink left between them once they are gone, as a share of their ink.
FORM_INSIDE = 0.1
#: ... unless it is a row of boxes, closed at both ends, with at least this many walls (three boxes:
#: a 0 drawn square is one, "00" drawn as two touching squares two): an empty field, such as the
#: second row of a form with two.
FORM_EMPTY_WALLS = 4
#: Where a picture comes from. A canvas drawing has no paper edge and no frame: nothing there is
#: dropped for touching or running along the edge, and no frame is looked for.
SOURCES = ("upload", "canvas")


class TextureError(ValueError):
    """Raised by :func:`find_digits` for ink in more than :data:`MAX_MARKS` separate marks, or in
    more than :data:`MAX_DIGITS` digit-sized groups.

    Attributes:
        count: how many marks (or groups) there were.
    """

    def __init__(self, count: int, what: str = "separate marks"):
        self.count = count
        super().__init__(f"too much texture to read: {count:,} {what}, where a picture of digits has a few")


@dataclass
class Group:
    """One digit's ink: a set of connected components.

    Attributes:
        labels: the component labels (in the label image) that make up the digit.
        box: (x0, y0, x1, y1) in working pixels (x1, y1 exclusive).
        area: ink pixels.
        under: the labels of a bar set aside beneath this digit alone (:func:`_underlines`): an
            underline, or the base of a 2 broken off its diagonal; not in ``labels``, ``box`` or
            ``area``. The digit with it is offered to the network as a hypothesis.
    """

    labels: list[int]
    box: tuple[int, int, int, int]
    area: int
    under: list[int] = field(default_factory=list)

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    def absorb(self, other: Group) -> None:
        """Take ``other``'s components into this digit, in place (its box grows to hold them)."""
        self.labels += other.labels
        self.box = _union(self.box, other.box)
        self.area += other.area


def _box(sl: tuple[slice, slice]) -> tuple[int, int, int, int]:
    return sl[1].start, sl[0].start, sl[1].stop, sl[0].stop


def _union(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _encloses(outer: tuple[int, ...], inner: tuple[int, ...]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _x_overlap(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    narrower = min(a[2] - a[0], b[2] - b[0])
    return overlap / narrower if narrower > 0 else 0.0


def _hugs_box_edges(labels: np.ndarray, k: int, box: tuple[int, int, int, int], band: float = 0.15) -> bool:
    """True when at least 85% of component ``k``'s pixels lie within ``band`` of its box's shorter
    side from the box's edges: the shape of a frame, not of a digit."""
    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(labels[y0:y1, x0:x1] == k)
    b = band * min(x1 - x0, y1 - y0)
    near = (xs < b) | (ys < b) | (xs >= (x1 - x0) - b) | (ys >= (y1 - y0) - b)
    return bool(near.mean() >= 0.85) if near.size else False


def _edge_or_line(labels: np.ndarray, k: int, box: tuple[int, int, int, int]) -> bool:
    """True when component ``k`` runs along a side of the picture (:func:`digits.reading.boxes.along_a_side`:
    a paper edge, a shadow, a frame) or crosses it from side to side as a straight line (a ruled
    line): not what a digit drawn up to the edge looks like."""
    return along_a_side(labels, k) or _spans_as_line(box, labels.shape)


def _spans_as_line(box: tuple[int, int, int, int], shape: tuple[int, int], reach: float = 0.0) -> bool:
    """True when ``box`` runs from one side of a picture of ``shape`` (H, W) to the opposite one (to
    within ``reach`` of that side's length from each) and is :data:`LINE_ASPECT` times longer than
    wide: a ruled line, a notebook's margin line."""
    h, w = shape
    x0, y0, x1, y1 = box
    across = x0 <= reach * w and x1 >= (1 - reach) * w and (x1 - x0) >= LINE_ASPECT * (y1 - y0)
    down = y0 <= reach * h and y1 >= (1 - reach) * h and (y1 - y0) >= LINE_ASPECT * (x1 - x0)
    return across or down


def _bands(acc: np.ndarray, least: float) -> list[tuple[int, int, int]]:
    """Runs of consecutive indices where ``acc`` (1-D) is at least ``least``: the distance bins one
    straight line covers in a Hough accumulator, as many as it is thick. Each is ``(start, stop,
    core)``: ``[start, stop)`` grown by up to :data:`FORM_GROW` bins on each side while ``acc`` stays
    at least half of ``least`` (a line's edges, spread by a slight tilt), ``core`` its width before."""
    high = np.concatenate([[False], acc >= least, [False]])
    edges = np.flatnonzero(np.diff(high.astype(np.int8)))
    bands = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        core = int(stop - start)
        for _ in range(FORM_GROW):
            if start > 0 and acc[start - 1] >= least / 2:
                start -= 1
            if stop < len(acc) and acc[stop] >= least / 2:
                stop += 1
        bands.append((int(start), int(stop), core))
    return bands


def _across(theta: float, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Hough distance ``x cos(theta) + y sin(theta)`` of points (px)."""
    return xs * np.cos(theta) + ys * np.sin(theta)


def _row_at(theta: float, r: float, x: float | np.ndarray) -> float | np.ndarray:
    """The row at column ``x`` of the line ``x cos(theta) + y sin(theta) = r`` (one near the rows)."""
    return (r - x * np.cos(theta)) / np.sin(theta)


def _column_at(theta: float, r: float, y: float | np.ndarray) -> float | np.ndarray:
    """The column at row ``y`` of the line ``x cos(theta) + y sin(theta) = r`` (one near the columns)."""
    return (r - y * np.sin(theta)) / np.cos(theta)


def _flanked(xs: np.ndarray, ys: np.ndarray, theta: float, lo: float, hi: float) -> float:
    """The share of the columns of a line near the rows (``lo <= x cos(theta) + y sin(theta) <= hi``,
    give or take :data:`FORM_MARGIN`) where the ink (pixels ``xs``, ``ys``) also lies just beyond
    both its sides, within its thickness and 2 px more: about 0 for a form's line that digits touch
    from one side, about 1 for a thin band along the middle of a thick stroke."""
    r = _across(theta, xs, ys)
    lo, hi, reach = lo - FORM_MARGIN, hi + FORM_MARGIN, hi - lo + 2
    on = np.unique(xs[(r >= lo) & (r <= hi)])
    before = np.unique(xs[(r < lo) & (r >= lo - reach)])
    after = np.unique(xs[(r > hi) & (r <= hi + reach)])
    return len(np.intersect1d(np.intersect1d(on, before), after)) / max(len(on), 1)


def _continuous(ink: np.ndarray, theta: float, r: float, rules: list, dists: np.ndarray) -> bool:
    """Whether the line ``x cos(theta) + y sin(theta) = r`` (a wall's middle) is ink, within a pixel,
    on at least :data:`FORM_CONTINUOUS` of its rows between the two ``rules`` ((angle, band) of the
    top and bottom lines, ``dists`` their Hough distances)."""
    (top_theta, top), (bottom_theta, bottom) = rules
    # Where the wall crosses each rule: about its column, on the rule's row there.
    x = _column_at(theta, r, 0)
    y0 = _row_at(top_theta, dists[top[0]], x)
    y1 = _row_at(bottom_theta, dists[bottom[1] - 1], x)
    ys = np.arange(max(0, int(np.ceil(y0))), min(ink.shape[0], int(y1) + 1))
    if ys.size == 0:
        return False
    xs = np.rint(_column_at(theta, r, ys)).astype(int)
    near = [ink[ys, np.clip(xs + dx, 0, ink.shape[1] - 1)] for dx in (-1, 0, 1)]
    return bool(np.mean(np.logical_or.reduce(near)) >= FORM_CONTINUOUS)


def _walls(ink: np.ndarray, closed: bool = False) -> np.ndarray | None:
    """The lines of a box, a row of boxes (a comb field) or a form's field that digits were written
    in, or None.

    Straight lines are found with the Hough transform (``skimage.transform.hough_line``) within
    :data:`FORM_TILT` degrees of the rows, each line at its own angle (a form photographed turned,
    or at a slant, whose lines are not parallel). There are boxes when two thin lines (each at most
    :data:`FORM_THIN` of the height between them thick), at least :data:`FORM_SPAN` of the ink's
    length along them, run along its top and bottom (within :data:`FORM_EDGE` of its extent across
    them) with ink between them, at least :data:`FORM_LOWEST` px apart, each a line in the ink rather
    than a band along the middle of a thick stroke (:data:`FORM_FLANKED`), and the ink is about as
    long as that height or longer (:data:`FORM_WIDE`); the walls are then the thin lines within
    :data:`FORM_TILT` degrees of right angles to them that reach from one to the other
    (:data:`FORM_WALL` of the shortest height between them), each at the angle where it is
    sharpest. A digit's own strokes are none of these: a pen is thicker than a form's lines
    (MNIST's is 0.14 of the height), a 7's bar has no twin along the bottom, a thin printed 3 whose
    top and base are flat is narrower than tall, and a 1 does not reach from the top line to the
    bottom one. Where no wall joins the two lines and a third line lies between them, they are the
    top of one row of boxes and the bottom of another (each is found when looked at alone).

    Args:
        ink: (h, w) bool, the ink in the box to look in (one component, or all the ink).
        closed: only boxes closed by a wall at each end (for one component looked at alone: a
            digit's own curves, a 3's top and bottom, can pass for two lines at a slant).

    Returns:
        (h, w) bool, the lines' ink (each with its thickness, plus a pixel and a half either side),
        when there are boxes and ink is left between the lines once they are gone (or, with
        ``closed``, an empty field of :data:`FORM_EMPTY_WALLS` walls or more); else None.
    """
    h, w = ink.shape
    if min(h, w) < FORM_SMALLEST:
        return None
    tilts = np.deg2rad(np.arange(-FORM_TILT, FORM_TILT + 0.25, 0.5))
    ys, xs = np.nonzero(ink)
    # Rows: r = x cos(angle) + y sin(angle), about y. At each angle, the lines along the top and the
    # bottom of the ink's extent across them; each side's line is the sharpest of them.
    acc, angles, dists = transform.hough_line(ink, theta=np.pi / 2 + tilts)
    # The ink's extremes across and along the lines lie among each column's top and bottom pixels
    # and each row's leftmost and rightmost ones (the angles are within 45 degrees of the rows).
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    col_x = np.concatenate([cols, cols])
    col_y = np.concatenate([ink[:, cols].argmax(axis=0), h - 1 - ink[::-1, cols].argmax(axis=0)])
    row_y = np.concatenate([rows, rows])
    row_x = np.concatenate([ink[rows].argmax(axis=1), w - 1 - ink[rows, ::-1].argmax(axis=1)])
    lengths = [np.ptp(_across(theta - np.pi / 2, row_x, row_y)) for theta in angles]
    sides, between = {}, False
    # Only the angles where some line is long enough (most pictures have none: a quick way out);
    # the least turned first, so that it wins a tie (a thick line is as sharp a little turned).
    for a in sorted(np.flatnonzero(acc.max(axis=0) >= FORM_SPAN * np.asarray(lengths)), key=lambda a: abs(tilts[a])):
        theta, length = angles[a], lengths[a]
        r = _across(theta, col_x, col_y)
        lo, hi = r.min(), r.max()
        for band in _bands(acc[:, a], FORM_SPAN * length):
            peak = int(acc[band[0] : band[1], a].max())
            near = {"top": dists[band[1] - 1] <= lo + FORM_EDGE * (hi - lo)}
            near["bottom"] = dists[band[0]] >= hi - FORM_EDGE * (hi - lo)
            for side in ("top", "bottom"):
                if near[side] and peak > sides.get(side, (0,))[0]:
                    sides[side] = (peak, theta, band, length)
            between |= not (near["top"] or near["bottom"])
    if len(sides) < 2:
        return None
    (_, top_theta, top, length), (_, bottom_theta, bottom, _) = sides["top"], sides["bottom"]
    # The height between the two lines at the ink's ends and middle (a slant makes them converge).
    ends_and_middle = [
        _row_at(bottom_theta, dists[bottom[0]], x) - _row_at(top_theta, dists[top[1] - 1], x)
        for x in (xs.min(), xs.max(), xs.mean())
    ]
    inner = ends_and_middle[-1]
    if (
        min(ends_and_middle) < FORM_LOWEST
        or abs(top_theta - bottom_theta) > np.deg2rad(FORM_SKEW)
        or length < FORM_WIDE * inner
        or max(top[2], bottom[2]) > FORM_THIN * inner
    ):
        return None
    lines = [(top_theta, top), (bottom_theta, bottom)]
    if max(_flanked(xs, ys, theta, dists[band[0]], dists[band[1] - 1]) for theta, band in lines) > FORM_FLANKED:
        return None
    # Walls: r about x, at right angles to the rows; where the form was photographed at a slant
    # (its walls lean, and those at its ends are not found so), give or take FORM_TILT, each wall
    # at its sharpest. Only then: a straight handwritten 1 leaning a few degrees reaches both lines too.
    across = (top_theta + bottom_theta) / 2 - np.pi / 2
    reach = FORM_THIN * inner + 3
    thin = min(FORM_THIN * inner, FORM_WALL_THICKER * max(top[2], bottom[2]) + 1)
    middle = ys.mean()
    straight: list = []
    for thetas in (np.array([across]), across + tilts):
        acc, angles, dists = transform.hough_line(ink, theta=thetas)
        candidates = sorted(
            (
                (int(acc[b[0] : b[1], a].max()), -abs(theta - across), theta, b)
                for a, theta in enumerate(angles)
                for b in _bands(acc[:, a], FORM_WALL * min(ends_and_middle))
                if b[2] <= thin
            ),
            key=lambda c: (-c[0], -c[1]),
        )
        placed: list[float] = []
        found = []
        for _, _, theta, band in candidates:
            centre = dists[(band[0] + band[1] - 1) // 2]
            x = _column_at(theta, centre, middle)
            # One wall found again at a neighbouring angle lies within a few pixels of itself; a wall
            # is ink all the way from the top line to the bottom one (a digit's straight stroke is not).
            if all(abs(x - other) > 3 for other in placed) and _continuous(ink, theta, centre, lines, dists):
                placed.append(x)
                found.append((theta, band))
        ends = bool(placed) and min(placed) <= xs.min() + reach and max(placed) >= xs.max() - reach
        if ends:
            break
        straight = straight or found  # the leaning walls count only if they close the field
    if closed and not ends:
        return None
    if not (ends or straight) and between:
        # No wall, and a third line between the two: rows of boxes one under the other, each
        # found when its component is looked at alone (walls reach from a row's top to its bottom).
        return None
    lines += found if ends else straight
    walls = np.zeros_like(ink)
    for theta, (start, stop, _) in lines:  # the distance bins are the same for every angle
        r = _across(theta, xs, ys)
        on = (r >= dists[start] - FORM_MARGIN) & (r <= dists[stop - 1] + FORM_MARGIN)
        walls[ys[on], xs[on]] = True
    # Nothing written in it: taken out whole only when it is a field of boxes (a row of three boxes
    # or more, closed at both ends), not one or two (a 0 drawn square, "00" as two squares).
    empty = closed and len(found) >= FORM_EMPTY_WALLS
    if (ink & ~walls).sum() < FORM_INSIDE * walls.sum() and not empty:
        return None
    return walls


def box_walls(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool: the lines of the boxes or the field that the digits were written in
    (:func:`_walls`), looked for around all the ink, and in every component of ink at least
    :data:`FORM_AREA` times as large as the largest (a field beside other writing); all False when
    there are none. A digit that touches its box is one component with it, and the box, read with
    it, hid the digit; the lines of a comb field whose walls were taken out as ruling
    (:func:`digits.reading.ink.remove_ruling`) joined the digits beneath them."""
    out = np.zeros_like(mask)
    if not mask.any():
        return out
    x0, y0, x1, y1 = bounding_box(mask)
    walls = _walls(mask[y0:y1, x0:x1])
    if walls is not None:
        out[y0:y1, x0:x1] = walls
    labels, _ = ndimage.label(mask & ~out, structure=np.ones((3, 3), int))
    slices = ndimage.find_objects(labels)
    areas = np.bincount(labels.ravel())[1:]
    for k in np.flatnonzero(areas >= FORM_AREA * areas.max()) + 1:
        sl = slices[k - 1]
        walls = _walls(labels[sl] == k, closed=True)
        if walls is not None:
            out[sl] |= walls
    return out


def find_digits(mask: np.ndarray, source: str = "upload", run_on: float = 0.0) -> tuple[np.ndarray, list[Group]]:
    """Segment binary ink into digits, left to right.

    Args:
        mask: (H, W) bool, the ink pixels (see :func:`digits.reading.ink.extract_ink`).
        source: one of :data:`SOURCES`; "canvas" keeps everything at the edge and looks for no frame.
        run_on: a piece that reaches the picture's top or bottom edge is judged, as a fragment or a
            digit, by its height grown by this fraction at each edge it reaches (on the canvas,
            :data:`digits.reading.prepare.EDGE_EXTEND`: cut by the edge, it is shorter in view than
            drawn; :func:`digits.reading.boxes.run_past_ends`); 0, as for uploads, judges it as it is.

    Returns:
        ``(labels, groups)``: the (H, W) int32 component label image (0 = background) and the
        digit groups ordered by their left edge. Empty when ``mask`` is empty.

    Raises:
        ValueError: unknown ``source``.
        TextureError: more than :data:`MAX_MARKS` marks once the specks are dropped.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if source == "upload":
        mask = mask & ~box_walls(mask)
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), int))
    if n == 0:
        return labels, []
    slices = ndimage.find_objects(labels)
    areas = ndimage.sum_labels(mask, labels, index=np.arange(1, n + 1)).astype(int)
    comps = {i + 1: (_box(slices[i]), int(areas[i])) for i in range(n)}
    largest = max(a for _, a in comps.values())
    specks = {k for k, (_, a) in comps.items() if a < max(4, 0.02 * largest) and a != largest}
    comps = {k: v for k, v in comps.items() if k not in specks}
    if len(comps) > MAX_MARKS:
        raise TextureError(len(comps))

    bars = {}  # underlines set aside (uploads): label -> the labels of the pieces above
    if source == "upload":
        # Frames: enclose substantial other ink, and their own ink hugs the edges of their box.
        by_left = sorted(comps, key=lambda j: comps[j][0][0])
        lefts = [comps[j][0][0] for j in by_left]
        for k, (box, area) in list(comps.items()):
            # What a box encloses starts within its x-range: a slice of the boxes sorted by left edge.
            inside_x = by_left[bisect.bisect_left(lefts, box[0]) : bisect.bisect_left(lefts, box[2])]
            enclosed = [comps[j] for j in inside_x if j != k and j in comps and _encloses(box, comps[j][0])]
            inside = sum(a for _, a in enclosed)
            # Substantial ink inside: by area, or a digit-tall piece (a thin digit in a wide rim).
            tall = max((b[3] - b[1] for b, _ in enclosed), default=0) >= FRAMED_HEIGHT * (box[3] - box[1])
            if (inside >= 0.2 * area or tall) and _hugs_box_edges(labels, k, box):
                del comps[k]
        # What runs along a whole side of the picture, when something else is left to read.
        along = {k for k, (box, _) in comps.items() if _edge_or_line(labels, k, box)}
        if along and len(along) < len(comps):
            comps = {k: v for k, v in comps.items() if k not in along}
        # An underline: it would join every digit above it into one group.
        bars = _underlines(comps)
        comps = {k: v for k, v in comps.items() if k not in bars}

    # Merge fragments by horizontal overlap, biggest first, so small pieces join their digit.
    groups = merge_overlapping(
        [Group([k], box, area) for k, (box, area) in sorted(comps.items(), key=lambda kv: -kv[1][1])]
    )
    if source == "upload":
        # A line in pieces (a notebook's margin line, cut where the rules crossing it were taken
        # out): each piece is short, but together they run from side to side (its last pieces may
        # be specks, rejoined later).
        lines = [
            g for g in groups if len(g.labels) >= LINE_PIECES and _spans_as_line(g.box, labels.shape, reach=LINE_REACH)
        ]
        rest = [g for g in groups if g not in lines]
        # ... and far taller than the digits (a thin 1 broken by pen skips in a tight crop is not).
        if lines and rest and min(g.height for g in lines) >= LINE_OVER_DIGITS * max(g.height for g in rest):
            groups = rest
    edge = labels.shape[0]

    def drawn(g: Group) -> float:
        """Its height as drawn: run on past the canvas's top or bottom edge where it reaches them (as
        the shape prior after the network judges it: :func:`digits.network.recognize._run_on`)."""
        _, y0, _, y1 = run_past_ends(g.box, edge, run_on)
        return y1 - y0

    _absorb_fragments(groups, drawn)
    tallest = max(g.height for g in groups)
    biggest = max(g.area for g in groups)
    groups = [g for g in groups if drawn(g) >= 0.4 * tallest or g.area >= 0.15 * biggest]
    if len(groups) > MAX_DIGITS:
        raise TextureError(len(groups), "digit-sized marks")
    _rejoin_specks(labels, slices, specks, groups, reach=SPECK_REACH * tallest)
    # A bar under one digit alone may be its own (a 2's base broken off): the network decides.
    for k, above in bars.items():
        owners = [g for g in groups if set(above) & set(g.labels)]
        if len(above) == 1 and len(owners) == 1:
            owners[0].under.append(k)
    groups.sort(key=lambda g: g.box[0])
    return labels, groups


def _underlines(comps: dict[int, tuple[tuple[int, int, int, int], int]]) -> dict[int, list[int]]:
    """The components of ``comps`` (label -> (box, area)) that underline others, each with the
    labels of the pieces it lies under: a horizontal bar (:data:`UNDERLINE_ASPECT` times wider than
    tall) below every digit-sized piece whose columns it shares (at least :data:`UNDERLINE_TALLER`
    times its height), clear of them by :data:`UNDERLINE_GAP` of their height, and either under two
    or more of them or :data:`UNDERLINE_WIDER` times wider than the one (how people tell a 6 from a
    9, or underline a number). A bar under one piece may be that digit's own (the base of a 2
    broken off its diagonal, often running on past it): :func:`find_digits` keeps it beside the
    digit (``Group.under``), and the network chooses."""
    found = {}
    for k, ((x0, y0, x1, y1), _) in comps.items():
        w, h = x1 - x0, y1 - y0
        if w < UNDERLINE_ASPECT * h:
            continue
        above = [
            j
            for j, (b, _) in comps.items()
            if j != k and b[0] < x1 and b[2] > x0 and b[3] - b[1] >= UNDERLINE_TALLER * h
        ]
        boxes = [comps[j][0] for j in above]
        if not boxes or any(b[3] > y0 - UNDERLINE_GAP * (b[3] - b[1]) for b in boxes):
            continue
        if len(boxes) >= 2 or w >= UNDERLINE_WIDER * (max(b[2] for b in boxes) - min(b[0] for b in boxes)):
            found[k] = above
    return found


def merge_overlapping(items: list[Group]) -> list[Group]:
    """Merge the pieces of one digit: groups whose x-ranges overlap by at least
    :data:`MERGE_OVERLAP` of the narrower one become one, until no two of them do.

    Args:
        items: groups in priority order (the biggest first: small pieces join their digit); they
            are changed in place.

    Returns:
        The merged groups (each the union of the items it took in: labels, box and area), no two of
        which overlap by :data:`MERGE_OVERLAP`. Each sweep (:func:`_merge_by_overlap`) is near-linear;
        merging can make groups overlap each other, so it sweeps again while anything merged.
    """
    groups = _merge_by_overlap(items)
    while len(groups) > 1:
        again = _merge_by_overlap(groups)
        if len(again) == len(groups):
            break
        groups = again
    return groups


def _merge_by_overlap(items: list[Group]) -> list[Group]:
    """Merge groups by horizontal overlap, in one sweep over sorted intervals.

    Each item, in the order given, joins the earliest-made group whose x-range overlaps its own by
    at least :data:`MERGE_OVERLAP` of the narrower one, or starts a new group. Only the groups whose
    x-range can meet the item's are looked at: those whose left edge lies within the widest
    group's width before the item's (a bisection in the groups kept sorted by left edge), so that a
    sweep is near-linear in the number of items (it was quadratic, and restarted after each merge).

    Args:
        items: the groups to merge, in priority order (they are changed in place).

    Returns:
        The merged groups, in the order they were made.
    """
    groups: list[Group] = []
    keys: list[tuple[int, int]] = []  # (left edge, index in groups), sorted
    widest = 0
    for item in items:
        x0, x1 = item.box[0], item.box[2]
        lo, hi = bisect.bisect_right(keys, (x0 - widest, len(groups))), bisect.bisect_left(keys, (x1, -1))
        near = [i for _, i in keys[lo:hi] if _x_overlap(groups[i].box, item.box) >= MERGE_OVERLAP]
        if near:
            first = min(near)
            g = groups[first]
            keys.remove((g.box[0], first))
            g.absorb(item)
            bisect.insort(keys, (g.box[0], first))
        else:
            g = item
            groups.append(item)
            bisect.insort(keys, (x0, len(groups) - 1))
        widest = max(widest, g.box[2] - g.box[0])
    return groups


def _rejoin_specks(labels: np.ndarray, slices: list, specks: set[int], groups: list[Group], reach: float) -> None:
    """Give back to a digit, in place, the specks within ``reach`` pixels of its ink: pieces of
    a stroke that thresholding broke up (faint MNIST strokes, a dashed pen line)."""
    if not specks or not groups:
        return
    owner = np.zeros(int(labels.max()) + 1, int)
    for i, g in enumerate(groups, start=1):
        owner[g.labels] = i
    digit_of = owner[labels]
    dist, (iy, ix) = ndimage.distance_transform_edt(digit_of == 0, return_indices=True)
    for k in sorted(specks):
        sl = slices[k - 1]
        ys, xs = np.nonzero(labels[sl] == k)
        ys, xs = ys + sl[0].start, xs + sl[1].start
        j = int(np.argmin(dist[ys, xs]))
        if dist[ys[j], xs[j]] <= reach:
            groups[digit_of[iy[ys[j], xs[j]], ix[ys[j], xs[j]]] - 1].absorb(Group([k], _box(sl), len(ys)))


def _absorb_fragments(groups: list[Group], height: Callable[[Group], float] = lambda g: g.height) -> None:
    """Merge fragments into the nearest digit, in place.

    A fragment is a group under half the median height (its ``height`` as drawn, px) or a fifth of
    the median area (the top bar of a 5 that sticks out past its body, a sliver cut off a stroke);
    it joins the group whose box is horizontally nearest, if that gap is under 0.3 of the median
    height.
    """
    while len(groups) > 1:
        med_h = float(np.median([g.height for g in groups]))
        med_a = float(np.median([g.area for g in groups]))
        fragments = [g for g in groups if height(g) < 0.5 * med_h or g.area < 0.2 * med_a]
        best = None
        for f in sorted(fragments, key=lambda g: g.area):
            for g in groups:
                if g is f:
                    continue
                gap = max(0, max(f.box[0], g.box[0]) - min(f.box[2], g.box[2]))
                if gap <= 0.3 * med_h and (best is None or gap < best[0]):
                    best = (gap, f, g)
            if best:
                break
        if best is None:
            return
        _, f, g = best
        groups.remove(f)
        g.absorb(f)


def merge_candidates(groups: list[Group], aspect: float = MERGE_ASPECT) -> list[int]:
    """Hypotheses of heuristic over-segmentation (LeCun, Bottou, Bengio & Haffner 1998, section V):
    the neighbours that may be one digit written in strokes that do not touch.

    Args:
        groups: digit groups ordered left to right (from :func:`find_digits`).
        aspect: the most width / height of the two together (:data:`MERGE_ASPECT`, or
            :data:`CANVAS_MERGE_ASPECT` for the canvas).

    Returns:
        The indices ``i`` for which ``groups[i]`` and ``groups[i + 1]`` may be one digit: the gap
        between their boxes (across or down, whichever is larger) is at most :data:`MERGE_GAP` of the
        height of the two together, and together they are at most ``aspect`` times as wide as tall.
        Side by side, that is a 4 whose stem stands apart or a 5 whose bar floats; one above the
        other, a stroke broken across (a slanted 1 cut in two, whose halves hardly overlap across).
        Which reading is kept is for the network to say
        (:func:`digits.network.recognize.choose_segmentation`).
    """
    out = []
    for i, (a, b) in enumerate(itertools.pairwise(groups)):
        box = _union(a.box, b.box)
        across = max(a.box[0], b.box[0]) - min(a.box[2], b.box[2])
        down = max(a.box[1], b.box[1]) - min(a.box[3], b.box[3])
        if max(across, down, 0) <= MERGE_GAP * (box[3] - box[1]) and box[2] - box[0] <= aspect * (box[3] - box[1]):
            out.append(i)
    return out


def split_candidates(
    labels: np.ndarray, groups: list[Group], aspect: float = SPLIT_ASPECT, most_join: float = 1.0, run_on: float = 0.0
) -> dict[int, tuple[int, float]]:
    """Hypotheses that one group is two touching digits, for the network to settle.

    Args:
        labels: the component label image of :func:`find_digits`.
        groups: its groups, left to right.
        aspect: the least width / height of a group to cut (:data:`SPLIT_ASPECT`, or
            :data:`CANVAS_SPLIT_ASPECT` for the canvas).
        most_join: the largest ``join`` (below) of a cut proposed (1.0: any;
            :data:`CANVAS_SPLIT_JOIN` for the canvas).
        run_on: a group that reaches the top or bottom of the picture is measured, for ``aspect``,
            by its height as drawn, run on past each such edge by this share
            (:func:`digits.reading.boxes.run_past_ends`; a canvas digit cut by the edge is no wider
            for it); 0: as it is.

    Returns:
        ``i`` -> ``(column, join)``: for each group at least ``aspect`` times as wide as tall (as
        drawn, with ``run_on``), the
        column (in working pixels) in the middle third of its box where the ink is shortest (its
        upper and lower contours closest: where two touching digits meet), with the least ink
        among equals; and ``join`` in [0, 1], the share of the group's height that its ink spans
        in that column: small where two digits touch, about 1 across the middle of a 0. A group
        whose column has a ``join`` above ``most_join`` is left out (no other column is tried).
    """
    out = {}
    for i, g in enumerate(groups):
        x0, y0, x1, y1 = g.box
        _, drawn_top, _, drawn_bottom = run_past_ends(g.box, labels.shape[0], run_on)
        if x1 - x0 < aspect * (drawn_bottom - drawn_top):
            continue
        mask = np.isin(labels[y0:y1, x0:x1], g.labels)
        rows = np.arange(y1 - y0)[:, None]
        # The vertical extent of the ink in each column: where two round digits meet it narrows
        # (upper and lower contours dip), though the ink piles up there; the ink count breaks ties.
        top = np.where(mask, rows, y1 - y0).min(axis=0)
        bottom = np.where(mask, rows, -1).max(axis=0)
        extent = np.maximum(bottom - top + 1, 0)
        score = extent + 0.25 * mask.sum(axis=0)
        lo, hi = (x1 - x0) // 3, 2 * (x1 - x0) // 3
        if hi > lo:
            at = lo + int(np.argmin(score[lo:hi]))
            join = float(extent[at]) / (y1 - y0)
            if join <= most_join:
                out[i] = (x0 + at, join)
    return out


def cut_in_two(mask: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut one group in two along the cheapest path from its top to its bottom, as two
    touching digits would be cut: shortest-path segmentation of touching characters (Wang & Jean
    1994, "Segmentation of merged characters by neural networks and shortest path", Pattern
    Recognition 27(5)), with scikit-image's minimum-cost paths (``skimage.graph.MCP_Geometric``).

    The path runs through paper at cost 1 a pixel and through ink at :data:`CUT_INK_COST`, between
    :data:`CUT_SPAN` and 1 - :data:`CUT_SPAN` of the box's width: it goes round each digit and
    crosses ink only where two digits meet, wherever that is (a 1's joint with the next digit lies
    off the middle third), and however slanted. Each half then loses the bits of the other digit
    cut off with it: components smaller than :data:`CUT_FRAGMENT` of the half's largest.

    Args:
        mask: (H, W) bool, the group's ink (a picture of working size).
        box: the group's box (x0, y0, x1, y1) in ``mask``'s pixels, at least 2 px wide.

    Returns:
        ``(left, right, path)``: ``left`` and ``right`` (H, W) bool, disjoint, within ``mask``,
        either possibly empty (nothing to split); ``path`` (N, 2) int, the cut's pixels as (row,
        column) in the box, top to bottom.
    """
    x0, y0, x1, y1 = box
    ink = mask[y0:y1, x0:x1]
    h, w = ink.shape
    lo = min(round(CUT_SPAN * w), w - 1)
    hi = max(round((1 - CUT_SPAN) * w), lo + 1)
    cost = np.where(ink, CUT_INK_COST, 1.0)
    cost[:, :lo] = cost[:, hi:] = np.inf  # MCP never enters a pixel of infinite cost
    ends = [(h - 1, c) for c in range(lo, hi)]
    mcp = graph.MCP_Geometric(cost)
    cumulative, _ = mcp.find_costs([(0, c) for c in range(lo, hi)], ends)
    path = np.array(mcp.traceback(min(ends, key=lambda e: cumulative[e])))
    # Each row is cut at the path's leftmost pixel in it: what lies left of it is the left half.
    column = np.full(h, hi)
    np.minimum.at(column, path[:, 0], path[:, 1])
    side = np.zeros(mask.shape, bool)
    side[y0:y1, x0:x1] = np.arange(w)[None, :] < column[:, None]
    return _without_fragments(mask & side), _without_fragments(mask & ~side), path


def ridge_width(distance: np.ndarray) -> float:
    """A piece's stroke width, in px: twice the median distance to the paper along the ridges of its
    strokes (the ink pixels no nearer the paper than their eight neighbours), less one; at least 1.
    Measured on the whole piece, since the ink where two digits touch is narrower than their strokes.

    Args:
        distance: (H, W) float, a piece's ink (its box) as its Euclidean distance transform
            (``scipy.ndimage.distance_transform_edt``: 0 on paper, the distance in px to the paper
            in ink), with some ink.
    """
    ridge = (distance > 0) & (ndimage.maximum_filter(distance, size=3) == distance)
    return max(2 * float(np.median(distance[ridge])) - 1, 1.0)


def _without_fragments(mask: np.ndarray) -> np.ndarray:
    """``mask`` ((H, W) bool) without the 8-connected components smaller than :data:`CUT_FRAGMENT`
    of its largest (new array)."""
    labels = measure.label(mask, connectivity=2)
    if labels.max() < 2:
        return mask
    sizes = np.bincount(labels.ravel())[1:]
    return np.isin(labels, np.flatnonzero(sizes >= CUT_FRAGMENT * sizes.max()) + 1)


def group_mask(labels: np.ndarray, groups: list[Group]) -> np.ndarray:
    """(H, W) bool mask of the ink of the given groups only."""
    keep = [k for g in groups for k in g.labels]
    return np.isin(labels, keep) if keep else np.zeros(labels.shape, bool)


def bridge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The stroke that closes the gap between two pieces of one digit (a stroke broken across, a
    4 whose stem stands apart): a straight line between their closest pixels (found with the
    Euclidean distance transform), as wide as their strokes.

    Args:
        a, b: (H, W) bool masks of the two pieces, not empty, not overlapping.

    Returns:
        (H, W) bool, the bridge alone; empty when the pieces are further apart than
        :data:`MERGE_GAP` of their joint height (too far to be one stroke broken).
    """
    out = np.zeros(a.shape, bool)
    x0, y0, x1, y1 = bounding_box(a | b)
    ca, cb = a[y0:y1, x0:x1], b[y0:y1, x0:x1]
    dist, (iy, ix) = ndimage.distance_transform_edt(~ca, return_indices=True)
    d = np.where(cb, dist, np.inf)
    pb = np.unravel_index(int(np.argmin(d)), d.shape)
    if d[pb] > MERGE_GAP * (y1 - y0):
        return out
    pa = (iy[pb], ix[pb])
    wide = _stroke_between(pa, pb, ca.shape, _ridge_radius(ca | cb))
    out[y0:y1, x0:x1] = wide & ~(ca | cb)
    return out


def _ridge_radius(mask: np.ndarray, skeleton: np.ndarray | None = None) -> float:
    """Half the strokes' width, in px: the median distance to the paper along their middle lines
    (``skeleton``, (H, W) bool, Zhang-Suen's of ``mask`` unless given), as
    :func:`digits.reading.normalize.stroke_width` measures the width (segment comes before normalize,
    and may not import it); 1.0 when ``mask`` ((H, W) bool) has no skeleton."""
    if skeleton is None:
        skeleton = morphology.skeletonize(mask)
    ridge = ndimage.distance_transform_edt(mask)[skeleton]
    return float(np.median(ridge)) if ridge.size else 1.0


def _stroke_between(a: tuple[int, int], b: tuple[int, int], shape: tuple[int, int], radius: float) -> np.ndarray:
    """(H, W) bool: the pixels nearer than ``radius`` to the straight line from pixel ``a`` to pixel
    ``b`` (row, column), found within reach of the line only (its box and ceil(radius) + 1 px
    around it hold them all: the distance transform of a digit's whole box was a fifth of a
    canvas-edge reading)."""
    line = np.zeros(shape, bool)
    line[draw.line(int(a[0]), int(a[1]), int(b[0]), int(b[1]))] = True
    r = int(np.ceil(radius)) + 1
    y0, x0 = max(0, min(a[0], b[0]) - r), max(0, min(a[1], b[1]) - r)
    y1, x1 = max(a[0], b[0]) + r + 1, max(a[1], b[1]) + r + 1
    out = np.zeros(shape, bool)
    out[y0:y1, x0:x1] = ndimage.distance_transform_edt(~line[y0:y1, x0:x1]) < radius
    return out


def _skeleton_graph(skeleton: np.ndarray) -> sparse.csr_matrix:
    """The skeleton's pixels (in ``np.flatnonzero`` order) as a graph: 8-neighbours joined by their
    distance (1 or sqrt 2)."""
    n = int(skeleton.sum())
    index = np.full(skeleton.shape, -1)
    index[skeleton] = np.arange(n)
    padded = np.pad(index, 1, constant_values=-1)
    h, w = skeleton.shape
    rows, cols, weights = [], [], []
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        other = padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
        both = (index >= 0) & (other >= 0)
        rows.append(index[both])
        cols.append(other[both])
        weights.append(np.full(int(both.sum()), np.hypot(dy, dx)))
    return sparse.csr_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


def close_gap(keep: np.ndarray) -> np.ndarray | None:
    """The stroke that closes a gap cut across one stroke of a digit whose ink still hangs together
    (a loop cut open: a 6 that reads 5, a 9 that reads 7, a 0 that reads C), for the network to
    accept or not; :func:`bridge` joins pieces that fell apart.

    On the digit's skeleton (Zhang-Suen, ``skimage.morphology.skeletonize``; the digit first brought
    down to :data:`CLOSE_WORK` px by the maximum of each block), the gap is the shortest straight
    line from an end of a stroke (a skeleton pixel with one neighbour) to another skeleton pixel
    that is at most :data:`CLOSE_GAP` of the digit's longer side away, crosses paper, and lies far
    round through the ink: along the skeleton (Dijkstra, ``scipy.sparse.csgraph``) at least
    :data:`CLOSE_DETOUR` times the gap and :data:`CLOSE_ROUND` of the longer side. It is drawn as
    wide as the strokes (twice the median distance to the paper along the skeleton).

    Args:
        keep: (H, W) bool, one digit's ink, not empty.

    Returns:
        (H, W) bool, the stroke alone (none of it on ``keep``); None when no gap qualifies.
    """
    x0, y0, x1, y1 = bounding_box(keep)
    ink = keep[y0:y1, x0:x1]
    k = -(-max(ink.shape) // CLOSE_WORK)  # ceil
    small = measure.block_reduce(ink, (k, k), np.max) if k > 1 else ink
    skeleton = morphology.skeletonize(small)
    neighbours = ndimage.convolve(skeleton.astype(np.uint8), np.ones((3, 3), np.uint8), mode="constant")
    points = np.argwhere(skeleton)  # the graph's node order (row-major, as flatnonzero)
    ends = np.flatnonzero(neighbours[skeleton] == 2)  # the pixel itself and one neighbour
    if ends.size == 0:
        return None
    side = max(small.shape)
    round_ = csgraph.dijkstra(_skeleton_graph(skeleton), directed=False, indices=ends)
    best = None
    for end, way in zip(ends, round_, strict=True):
        gap = np.hypot(*(points - points[end]).T)
        ok = (gap >= 2) & (gap <= CLOSE_GAP * side) & (way >= CLOSE_DETOUR * gap) & (way >= CLOSE_ROUND * side)
        for j in np.flatnonzero(ok)[np.argsort(gap[ok], kind="stable")]:
            if best is not None and gap[j] >= best[0]:
                break
            line = draw.line(*points[end], *points[j])
            if not small[line].all():  # it crosses paper
                best = (float(gap[j]), points[end], points[j])
                break
    if best is None:
        return None
    # Back to the digit's own pixels: the middle of each block.
    a, b = (np.minimum(p * k + k // 2, np.array(ink.shape) - 1) for p in best[1:])
    # As wide as the strokes, measured on the small copy.
    wide = _stroke_between(a, b, ink.shape, k * _ridge_radius(small, skeleton))
    out = np.zeros(keep.shape, bool)
    out[y0:y1, x0:x1] = wide & ~ink
    return out if out.any() else None
