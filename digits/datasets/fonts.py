"""Printed digits: Debian's font packages, split by family into train, validation and test.

The split is fixed in advance and never tuned: a family (FreeType's family name, such as
"Liberation Sans" or "TeX Gyre Heros") goes to

- **train** when ``sha256(family) mod 10`` is 0-5,
- **validation** when it is 6 or 7,
- **test** when it is 8 or 9,

so every weight and style of one family lands on the same side. The fonts of
:data:`HANDWRITING_PACKAGES` (handwriting-style typefaces) are for evaluation only, whatever
their hash: nothing is trained or tuned on them, and they are reported on their own row.

A font is kept only if its ten digits are ten different, non-empty glyphs (symbol and icon fonts
fail that). ``.ci/run`` installs every package named here.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

#: Printed typefaces: sans, serif, monospaced, display. Families are split by :func:`family_split`.
PRINTED_PACKAGES = (
    "fonts-dejavu-core",
    "fonts-dejavu-extra",
    "fonts-liberation",
    "fonts-liberation2",
    "fonts-freefont-ttf",
    "fonts-urw-base35",
    "fonts-crosextra-carlito",
    "fonts-crosextra-caladea",
    "fonts-roboto",
    "fonts-open-sans",
    "fonts-lato",
    "fonts-cantarell",
    "fonts-firacode",
    "fonts-hack",
    "fonts-inconsolata",
    "fonts-linuxlibertine",
    "fonts-ebgaramond",
    "fonts-oxygen",
    "fonts-jetbrains-mono",
    "fonts-league-spartan",
    "fonts-texgyre",
    "fonts-quicksand",
    "fonts-paratype",
    "fonts-cabin",
    "fonts-comfortaa",
    "fonts-croscore",
    "fonts-go",
    "fonts-oldstandard",
    "fonts-anonymous-pro",
    "fonts-mononoki",
    "fonts-stix",
    "fonts-adf-gillius",
    "fonts-adf-universalis",
    "fonts-fantasque-sans",
    "fonts-play",
    "fonts-sil-gentium",
    "fonts-sil-charis",
    "fonts-sil-andika",
    "fonts-vollkorn",
    "fonts-yanone-kaffeesatz",
    "fonts-mplus",
    "fonts-lobster",
    "fonts-averia-gwf",
)
#: Handwriting-style typefaces: evaluation only, on their own row.
HANDWRITING_PACKAGES = (
    "fonts-humor-sans",
    "fonts-comic-neue",
    "fonts-dkg-handwriting",
    "fonts-breip",
    "fonts-femkeklaver",
    "fonts-rufscript",
    "fonts-sjfonts",
    "fonts-bwht",
    "fonts-yusei-magic",
)
SPLITS = ("train", "validation", "test")
HANDWRITING = "handwriting"
FONT_SUFFIXES = (".ttf", ".otf", ".pfb", ".t1")
#: Styles whose name says the weight is heavier than regular.
BOLD_WORDS = ("bold", "black", "heavy", "extrabold", "ultrabold", "semibold", "demibold", "demi")
DIGITS = "0123456789"
#: Families that pass the digit check but draw something else at the digits' code points.
EXCLUDED_FAMILIES = {
    "D050000L": "dingbats (pencils, ticks, crosses)",
    "Linux Biolinum Keyboard O": "digits inside drawn key caps",
}
_PROBE_PX = 64


@dataclass(frozen=True)
class Font:
    """One font file: its path, FreeType family and style names, and the package that installs it."""

    path: str
    family: str
    style: str
    package: str

    @property
    def bold(self) -> bool:
        """Whether the style is heavier than regular (bold, black, heavy, semibold...)."""
        s = self.style.lower().replace(" ", "").replace("-", "")
        return any(w in s for w in BOLD_WORDS)

    @property
    def italic(self) -> bool:
        s = self.style.lower()
        return "italic" in s or "oblique" in s


def family_split(family: str) -> str:
    """The split of a font family: "train", "validation" or "test" (see the module docstring).

    Args:
        family: FreeType's family name, e.g. "Liberation Sans".

    Returns:
        One of :data:`SPLITS`, from ``int(sha256(family.encode("utf-8")).hexdigest(), 16) % 10``.
    """
    bucket = int(hashlib.sha256(family.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if bucket < 6 else "validation" if bucket < 8 else "test"


def _package_files(package: str) -> list[str]:
    try:
        out = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True, check=False).stdout
    except OSError:  # not a Debian system
        return []
    return sorted(line for line in out.splitlines() if line.lower().endswith(FONT_SUFFIXES) and Path(line).is_file())


def _has_digits(font: ImageFont.FreeTypeFont) -> bool:
    """Ten different, non-empty digit glyphs (a missing glyph is drawn as one shared box or nothing)."""
    masks = set()
    for d in DIGITS:
        mask = font.getmask(d)
        if mask.size[0] == 0 or mask.size[1] == 0 or max(bytes(mask)) == 0:
            return False
        masks.add((mask.size, bytes(mask)))
    return len(masks) == len(DIGITS)


@functools.lru_cache(maxsize=4)
def installed_fonts(packages: tuple[str, ...] = PRINTED_PACKAGES) -> tuple[Font, ...]:
    """Every font file of ``packages`` that is installed and has the ten digits.

    Args:
        packages: Debian package names (installed ones are read with ``dpkg-query -L``).

    Returns:
        Fonts sorted by (family, style, path); empty where none is installed or off Debian.
    """
    fonts = []
    for package in packages:
        for path in _package_files(package):
            try:
                font = ImageFont.truetype(path, _PROBE_PX)
            except OSError:
                continue
            family, style = font.getname()
            if family and family not in EXCLUDED_FAMILIES and _has_digits(font):
                fonts.append(Font(path, family, style or "Regular", package))
    return tuple(sorted(set(fonts), key=lambda f: (f.family, f.style, f.path)))


def split_fonts(split: str) -> tuple[Font, ...]:
    """The installed fonts of one split: "train", "validation", "test" (printed families split by
    :func:`family_split`) or "handwriting" (:data:`HANDWRITING_PACKAGES`, evaluation only).

    Raises:
        ValueError: an unknown split.
    """
    if split == HANDWRITING:
        return installed_fonts(HANDWRITING_PACKAGES)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join((*SPLITS, HANDWRITING))}")
    return tuple(f for f in installed_fonts(PRINTED_PACKAGES) if family_split(f.family) == split)


def upright(fonts: tuple[Font, ...] | list[Font], bold: bool | None = None) -> list[Font]:
    """The upright (not italic) fonts of ``fonts``, only the bold or only the regular ones when
    ``bold`` says so; where a choice leaves none, the wider one (upright, then all) instead."""
    straight = [f for f in fonts if not f.italic] or list(fonts)
    if bold is None:
        return straight
    return [f for f in straight if f.bold == bold] or straight


@functools.lru_cache(maxsize=256)
def _truetype(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


def render_text(font: Font, text: str, height: float, outline: float = 0.0) -> tuple[np.ndarray, list]:
    """Ink of ``text`` in ``font``, its digits ``height`` px tall, cropped to the ink.

    Args:
        font: a :class:`Font`.
        text: the characters, drawn with the font's own advance widths and kerning.
        height: the height of the tallest character's ink in px, >= 4.
        outline: 0 for solid glyphs; > 0 draws only their outline, this many px wide (hollow
            digits, as on signs and plates).

    Returns:
        ``(ink, boxes)``: (H, W) float32 ink coverage in [0, 1] (ink = 1), anti-aliased, cropped;
        and each character's box ``(x0, y0, x1, y1)`` (exclusive ends) on that crop, in order.

    Raises:
        ValueError: ``height`` below 4, empty ``text``, or a font that draws no ink.
    """
    if height < 4 or not text:
        raise ValueError(f"need height >= 4 and some text, got {height!r}, {text!r}")
    probe = _truetype(font.path, _PROBE_PX)
    tallest = max(probe.getbbox(c)[3] - probe.getbbox(c)[1] for c in text)
    px = max(4, round(_PROBE_PX * height / max(tallest, 1)))
    face = _truetype(font.path, px)
    left, top, right, bottom = face.getbbox(text)
    width = max(1, round(outline)) if outline > 0 else 0
    pad = width + 2
    size = (right - left + 2 * pad, bottom - top + 2 * pad)
    layers = []
    for i, c in enumerate(text):  # each character at its place in the line, kerning included
        image = Image.new("L", size, 0)
        x = pad - left + face.getlength(text[:i])
        ImageDraw.Draw(image).text(
            (x, pad - top), c, font=face, fill=0 if width else 255, stroke_width=width, stroke_fill=255
        )
        layers.append(np.asarray(image, np.float32) / 255.0)
    ink = np.max(layers, axis=0)
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0), np.flatnonzero(ink.max(axis=0) > 0)
    if len(rows) == 0:
        raise ValueError(f"{font.family} {font.style} draws no ink for {text!r}")
    y0, x0 = rows[0], cols[0]
    boxes = []
    for layer in layers:
        r, c = np.flatnonzero(layer.max(axis=1) > 0), np.flatnonzero(layer.max(axis=0) > 0)
        boxes.append((int(c[0] - x0), int(r[0] - y0), int(c[-1] + 1 - x0), int(r[-1] + 1 - y0)))
    return ink[y0 : rows[-1] + 1, x0 : cols[-1] + 1], boxes


#: :func:`printed_picture` settings: margins (fractions of the digits' height), outline width
#: (fraction of the height), paper and ink grey levels, plate and plate-digit levels, blur, noise.
MARGIN = (0.2, 0.8)
OUTLINE_WIDTH = (0.04, 0.08)
PAPER_LEVEL, INK_LEVEL = (205.0, 255.0), (0.0, 80.0)
PLATE_LEVEL, PLATE_INK_LEVEL = (10.0, 90.0), (190.0, 255.0)
PLATE_RIM = (0.03, 0.06)
RIM_MARGIN = 0.45  # the least margin on a plate with a rim (the rim sits 0.1 x height inside the edge)
BLUR = (0.3, 0.9)
NOISE = 4.0


def printed_picture(
    font: Font, text: str, height: float, rng: np.random.Generator, *, outline: bool = False, plate: bool = False
) -> tuple[np.ndarray, list]:
    """A picture of printed ``text``: dark print on paper, or light digits on a dark plate.

    The characters are :func:`render_text` ``height`` px tall, with margins of
    :data:`MARGIN` x height on each side, in a random tint; then a Gaussian blur (:data:`BLUR`
    px) and Gaussian noise (:data:`NOISE` grey levels), as a photo or scan gives. A plate is the
    whole picture (a crop of a house-number plate), and half the time it has a light rim
    (:data:`PLATE_RIM` x height wide) running round it 0.1 x height inside its edge, well apart
    from the characters.

    Args:
        font: the typeface.
        text: the characters.
        height: their height in px, >= 4.
        rng: the generator for every random choice.
        outline: hollow characters (their outline only, :data:`OUTLINE_WIDTH` x height wide).
        plate: light characters on a dark plate.

    Returns:
        ``(image, boxes)``: (H, W, 3) uint8 RGB, and each character's box ``(x0, y0, x1, y1)``.

    Raises:
        ValueError: as :func:`render_text`.
    """
    width = float(rng.uniform(*OUTLINE_WIDTH)) * height if outline else 0.0
    ink, boxes = render_text(font, text, height, outline=width)
    rim = plate and rng.random() < 0.5
    low = RIM_MARGIN if rim else MARGIN[0]  # room for a rim well apart from the digits
    top, bottom, left, right = (max(6, round(float(rng.uniform(low, MARGIN[1])) * height)) for _ in range(4))
    h, w = ink.shape[0] + top + bottom, ink.shape[1] + left + right
    layer = np.zeros((h, w), np.float32)
    layer[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    tint = rng.uniform(-8, 8, size=3)
    if plate:
        background = np.clip(rng.uniform(*PLATE_LEVEL) + 2 * tint, 0, 255)
        fore = np.clip(rng.uniform(*PLATE_INK_LEVEL) + tint, 0, 255)
        if rim:
            rim_px = max(2, round(float(rng.uniform(*PLATE_RIM)) * height))
            inset = max(2, round(0.1 * height))
            frame = np.zeros((h, w), bool)
            frame[inset : h - inset, inset : w - inset] = True
            frame[inset + rim_px : h - inset - rim_px, inset + rim_px : w - inset - rim_px] = False
            layer = np.maximum(layer, frame.astype(np.float32))
    else:
        background = np.clip(rng.uniform(*PAPER_LEVEL) + tint, 0, 255)
        fore = np.clip(rng.uniform(*INK_LEVEL) + tint, 0, 255)
    img = background * (1 - layer[..., None]) + fore * layer[..., None]
    img = ndimage.gaussian_filter(img, sigma=(float(rng.uniform(*BLUR)),) * 2 + (0,))
    img += rng.normal(0, NOISE, size=img.shape)
    boxes = [(x0 + left, y0 + top, x1 + left, y1 + top) for x0, y0, x1, y1 in boxes]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), boxes
