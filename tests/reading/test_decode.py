"""Decoding: EXIF orientation, and clear one-line errors for bad files."""

from __future__ import annotations

import pytest
from PIL import Image

from digits.reading.decode import FULL_SIZE, ImageError, full_size, load_image
from digits.reading.prepare import preprocess

from helpers import corr, on_paper, png_bytes


def test_exif_orientation_applied(mnist_test):
    x, _ = mnist_test
    upright = Image.fromarray(on_paper(x[0], height=150))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a phone stores for a rotated shot
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation 6: the viewer rotates 90° clockwise to display
    loaded = load_image(png_bytes(stored, format="JPEG", exif=exif.tobytes(), quality=95))
    assert loaded.size == upright.size
    assert corr(preprocess(loaded).image, preprocess(upright).image) > 0.97


@pytest.mark.parametrize(("orientation", "upright"), [(1, (2600, 2000)), (6, (2000, 2600))])
def test_a_large_jpeg_is_decoded_smaller_and_keeps_its_size(orientation, upright):
    """libjpeg's DCT scaling: the smallest of 1/2, 1/4, 1/8 whose longer side stays at least reduce_to."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = png_bytes(Image.new("RGB", (2600, 2000), (240, 238, 230)), format="JPEG", exif=exif.tobytes())
    small = load_image(data, reduce_to=480)
    assert small.size == (upright[0] // 4, upright[1] // 4) and full_size(small) == upright
    whole = load_image(data)
    assert whole.size == upright and FULL_SIZE not in whole.info and full_size(whole) == upright
    # A crop or a resized copy of the small picture is its own size (Pillow passes info on).
    assert full_size(small.crop((0, 0, 100, 50))) == (100, 50) and full_size(small.resize((60, 40))) == (60, 40)
    assert load_image(data, reduce_to=300).size == (upright[0] // 8, upright[1] // 8)
    # A longer side under twice reduce_to, or not a JPEG: decoded whole.
    assert load_image(data, reduce_to=1400).size == upright
    png = png_bytes(Image.new("RGB", (2600, 2000), (240, 238, 230)))
    assert load_image(png, reduce_to=480).size == (2600, 2000)
    # Sides not in exact proportion: the longer side alone decides (3840 // 8 = 480 is enough).
    odd = png_bytes(Image.new("RGB", (3840, 2161), (240, 238, 230)), format="JPEG")
    assert load_image(odd, reduce_to=480).size == (480, 271)


def test_a_lazily_opened_damaged_image_is_a_clear_error(mnist_test):
    data = png_bytes(Image.fromarray(on_paper(mnist_test[0][0], height=150)), format="JPEG")
    import io

    with pytest.raises(ImageError, match="damaged or truncated"):
        load_image(Image.open(io.BytesIO(data[: len(data) // 2])))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not an image at all", "not an image"),
        (b"#define x_width 16\n" * 4, "not an image"),  # text that XBM's loose signature accepts
        (b"%!PS-Adobe-3.0 EPSF-3.0\n" * 4, "not an image"),  # EPS: not an upload format
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
            "damaged \\(it starts like a PNG file",
        ),  # a PNG's signature, then nothing
    ],
)
def test_bad_bytes_are_clear_errors(data, message):
    with pytest.raises(ImageError, match=message):
        load_image(data)


def test_truncated_image_is_a_clear_error(mnist_test):
    data = png_bytes(Image.fromarray(on_paper(mnist_test[0][0], height=150)))
    with pytest.raises(ImageError, match="damaged or truncated"):
        load_image(data[: len(data) // 2])


def test_huge_image_is_refused():
    """Refused with one clear line, and without Pillow's decompression-bomb warning in the server's log."""
    import warnings

    data = png_bytes(Image.new("L", (8000, 8000), 255))  # 64 megapixels, a few hundred kB of PNG
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageError, match="too large"):
            load_image(data)
