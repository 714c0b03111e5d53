"""Property tests (hypothesis) of decoding and preprocessing: over 10,000 random byte strings, damaged
files and arrays. Decoding may refuse with the project's one-line :class:`ImageError` and nothing
else; a valid image is never refused; preprocessing never raises on what decoding lets through."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from digits.reading.decode import ImageError, load_image
from digits.reading.prepare import prepare

RELAXED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
FORMATS = ["PNG", "JPEG", "WEBP", "BMP", "GIF"]


def _decode(data: bytes) -> Image.Image | None:
    """load_image, with its one-line ImageError as None; any other exception fails the test."""
    try:
        return load_image(data)
    except ImageError as e:
        assert str(e) and "\n" not in str(e)
        return None


def _encode(pixels: np.ndarray, fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


#: Small images: grey, RGB or RGBA, 1 to 48 pixels a side, any pixel values.
small_images = arrays(
    np.uint8,
    st.tuples(st.integers(1, 48), st.integers(1, 48)).flatmap(lambda hw: st.sampled_from([hw, (*hw, 3), (*hw, 4)])),
)


@settings(max_examples=6000, **RELAXED)
@given(st.binary(max_size=2048))
def test_random_bytes_are_an_image_or_one_clear_error(data):
    image = _decode(data)
    if image is not None:
        prepare(image)


@settings(max_examples=2000, **RELAXED)
@given(small_images, st.sampled_from(FORMATS))
def test_valid_images_are_never_refused(pixels, fmt):
    if fmt in ("JPEG", "BMP", "GIF") and pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = pixels[..., :3]  # formats without an alpha channel
    image = load_image(_encode(pixels, fmt))
    assert image.size == (pixels.shape[1], pixels.shape[0])


@settings(max_examples=1000, **RELAXED)
@given(small_images, st.sampled_from(["PNG", "JPEG", "GIF"]), st.data())
def test_damaged_files_are_read_or_refused_in_one_line(pixels, fmt, data):
    if pixels.ndim == 3 and pixels.shape[2] == 4 and fmt != "PNG":
        pixels = pixels[..., :3]
    raw = bytearray(_encode(pixels, fmt))
    for _ in range(data.draw(st.integers(1, 8))):  # flip bytes, anywhere, headers included
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(0, len(raw)))
    image = _decode(bytes(raw[: cut or len(raw)]))
    if image is not None:
        prepare(image)


@settings(max_examples=1500, **RELAXED)
@given(
    arrays(
        np.float32,
        st.sampled_from([(40, 40), (28, 60), (40, 40, 3), (33, 21, 4), (1, 80), (80, 1)]),
        elements=st.floats(0, 1, width=32),
    ),
    st.booleans(),
    st.sampled_from(["upload", "canvas"]),
)
def test_preprocessing_never_raises_on_arrays(pixels, as_uint8, source):
    """Float arrays in [0, 1], or the same as uint8 in [0, 255], as a picture or a canvas."""
    if as_uint8:
        pixels = np.round(pixels * 255).astype(np.uint8)
    prepared = prepare(pixels, source=source)
    assert prepared.blank or prepared.whole.image.shape == (28, 28)
