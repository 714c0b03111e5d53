"""Hostile and unusual files (issue 16), as a table, and a benchmark of what each costs.

Every file must get the right reading or a clear one-line answer through
:func:`digits.network.recognize.recognize_file` (the app's uploads and ``predict.py``), never a
traceback (``tests/network/test_hostile.py``), and at most about a second of CPU (this benchmark).

Usage:
    python -m digits.evaluation.benchmark_hostile --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import io
import os
import struct
import sys
import time
import zipfile
import zlib

import numpy as np
from PIL import Image

from digits import cli

CASE_NAMES = [
    "zero bytes",
    "truncated PNG",
    "not an image",
    "SVG",
    "zip renamed .jpg",
    "bad CRC",
    "animated GIF (first frame)",
    "16-bit PNG",
    "CMYK JPEG",
    "palette with transparency",
    "RGBA, transparent paper",
    "1x1",
    "all white",
    "all black",
    "noise",
    "dot lattice (8,281 dots)",
    "20000x1 strip",
    "header claims 100,000 x 100,000",
    "64-megapixel PNG",
    "EXIF-rotated JPEG",
    "WebP",
    "BMP",
]


#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.evaluation.benchmark_hostile"


def _png(image: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=kw.pop("format", "PNG"), **kw)
    return buf.getvalue()


def _digit(digit: np.ndarray) -> np.ndarray:
    """A (28, 28) uint8 MNIST digit as dark ink on white paper, 140 px tall in 220x220, uint8."""
    big = np.asarray(Image.fromarray(digit).resize((140, 140), Image.Resampling.BILINEAR))
    page = np.zeros((220, 220), np.uint8)
    page[40:180, 40:180] = big
    return 255 - page


def _with_crc(data: bytearray, start: int, end: int) -> bytes:
    """PNG bytes with the CRC after the chunk ``data[start:end]`` (type and body) recomputed."""
    data[end : end + 4] = struct.pack(">I", zlib.crc32(bytes(data[start:end])) & 0xFFFFFFFF)
    return bytes(data)


def lattice(n: int = 91, step: int = 5, dot: int = 2) -> bytes:
    """A 1.5 kB PNG of ``n * n`` separate dots (the quadratic-segmentation attack)."""
    a = np.full((n * step, n * step), 255, np.uint8)
    for i in range(n):
        for j in range(n):
            a[i * step : i * step + dot, j * step : j * step + dot] = 0
    return _png(Image.fromarray(a))


def cases(first: np.ndarray, second: np.ndarray) -> dict[str, tuple[bytes, str]]:
    """The hostile-input table.

    Args:
        first, second: two real MNIST digits, (28, 28) uint8; the readable cases hold ``first``
            (an animated GIF's second frame is ``second``).

    Returns:
        name -> (file bytes, what must come back): "error:WORDS" (a one-line error containing
        WORDS), "label" (the first digit's label), "blank", "texture" (too much texture, said), or
        "any" (a reading or a clear answer, whichever). Names in :data:`CASE_NAMES` order.
    """
    page = _digit(first)
    ink = Image.fromarray(page)
    out: dict[str, tuple[bytes, str]] = {}
    good = _png(ink)
    out["zero bytes"] = (b"", "error:empty")
    out["truncated PNG"] = (good[: len(good) // 2], "error:damaged")
    out["not an image"] = (b"%PDF-1.4 this is a text document" * 10, "error:not an image")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text x="10" y="80">7</text></svg>'
    out["SVG"] = (svg.encode(), "error:not an image")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("digit.png", good)
    out["zip renamed .jpg"] = (buf.getvalue(), "error:not an image")
    bad_crc = bytearray(good)
    bad_crc[29] ^= 0xFF  # the IHDR chunk's CRC
    out["bad CRC"] = (bytes(bad_crc), "error:damaged")
    frames = [ink, Image.fromarray(_digit(second))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    out["animated GIF (first frame)"] = (buf.getvalue(), "label")
    out["16-bit PNG"] = (_png(Image.fromarray(page.astype(np.uint16) * 257)), "label")
    out["CMYK JPEG"] = (_png(ink.convert("CMYK"), format="JPEG", quality=95), "label")
    palette = ink.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    out["palette with transparency"] = (_png(palette, transparency=int(palette.getpixel((0, 0)))), "label")
    rgba = np.zeros((*page.shape, 4), np.uint8)
    rgba[..., 3] = 255 - page  # dark ink, the paper fully transparent
    out["RGBA, transparent paper"] = (_png(Image.fromarray(rgba, "RGBA")), "label")
    out["1x1"] = (_png(Image.new("L", (1, 1), 0)), "blank")
    out["all white"] = (_png(Image.new("L", (300, 200), 255)), "blank")
    out["all black"] = (_png(Image.new("L", (300, 200), 0)), "blank")
    noise = np.random.default_rng(0).integers(0, 256, (600, 600), dtype=np.uint8)
    out["noise"] = (_png(Image.fromarray(noise)), "any")
    out["dot lattice (8,281 dots)"] = (lattice(), "texture")
    out["20000x1 strip"] = (_png(Image.new("L", (20000, 1), 128)), "blank")
    claims = bytearray(_png(Image.new("L", (50, 50), 255)))
    claims[16:24] = struct.pack(">II", 100_000, 100_000)
    out["header claims 100,000 x 100,000"] = (_with_crc(claims, 12, 29), "error:too large")
    out["64-megapixel PNG"] = (_png(Image.new("L", (8000, 8000), 255)), "error:too large")
    exif = Image.Exif()
    exif[0x0112] = 6  # the viewer rotates 90° clockwise: the pixels are stored rotated back
    stored = ink.transpose(Image.Transpose.ROTATE_90)
    out["EXIF-rotated JPEG"] = (_png(stored, format="JPEG", exif=exif.tobytes(), quality=95), "label")
    out["WebP"] = (_png(ink, format="WEBP", quality=90), "label")
    out["BMP"] = (_png(ink, format="BMP"), "label")
    return {name: out[name] for name in CASE_NAMES}


def main(argv: list[str] | None = None) -> int:
    p = cli.parser(PROG, __doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--repeat", type=int, default=3, help="runs per file (the median is printed)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.evaluation.benchmark_speed import median_ms
    from digits.evaluation.robustness import source_split
    from digits.network.card import ModelCardError
    from digits.network.classifier import Classifier
    from digits.network.recognize import recognize_file

    try:
        x, _ = source_split("test", args.data_dir)
        classifier = Classifier()
    except (DataError, ModelCardError) as e:
        return cli.fail(PROG, e)
    print("| file | size | CPU time (median) | answer |\n| --- | ---: | ---: | --- |")
    for name, (data, _) in cases(x[0], x[1]).items():
        result, error = recognize_file(data, classifier)  # the answer shown (and a warm-up)
        ms = median_ms(lambda d=data: recognize_file(d, classifier), args.repeat, time.process_time, warm_up=False)
        answer = error or (result.texture or ("blank" if result.blank else f"read {result.number}"))
        print(f"| {name} | {len(data) / 1000:,.1f} kB | {ms:.0f} ms | {answer} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
