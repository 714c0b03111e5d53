"""Decode a picture: bytes, a path or a file object to a PIL image, within the upload limits.

The first stage of the reading pipeline. EXIF orientation is applied (``ImageOps.exif_transpose``),
an animation gives its first frame, and Pillow's decompression-bomb guard is set to
:data:`MAX_PIXELS`, so that a file that claims a huge image is refused before it is decoded. A JPEG
much larger than the reading needs can be decoded smaller in the first place (libjpeg's DCT scaling
by 1/2, 1/4 or 1/8, ``Image.draft``): a 12-megapixel phone photo decodes in about a third of the
time, and nothing is lost that the reading at its working size would keep.
"""

from __future__ import annotations

import io
import os
import warnings

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

#: Largest image accepted, in pixels (width x height). Pillow's decompression-bomb guard is set to
#: this: a bigger image is refused before it is decoded.
MAX_PIXELS = 50_000_000
#: Largest file accepted, in bytes (the app's upload limit in .streamlit/config.toml is the same).
MAX_FILE_BYTES = 25 * 1024 * 1024
#: File types offered for upload (Pillow reads each of them).
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]

#: Key of ``Image.info`` under which :func:`load_image` keeps, when it decoded a smaller copy, the
#: (width, height) of the picture the file holds (upright) and that of the copy (see :func:`full_size`).
FULL_SIZE = "digits.full_size"
#: EXIF orientations that swap width and height (a transpose, or a rotation by 90 or 270 degrees).
_SWAPS_AXES = (5, 6, 7, 8)

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageError(ValueError):
    """Raised for input that is not a readable image; the message is one line, fit for a user."""


def load_image(
    source: bytes | str | os.PathLike | io.IOBase | Image.Image, reduce_to: int | None = None
) -> Image.Image:
    """Decode an image file, with EXIF orientation applied.

    Args:
        source: encoded bytes, a path, a binary file object, or an already-open PIL image.
        reduce_to: when given, a JPEG whose longer side is at least twice this is decoded at 1/2,
            1/4 or 1/8 of its size, the smallest whose longer side is still at least ``reduce_to``
            pixels (``Image.draft``, libjpeg's DCT scaling: at 1/8, each 8x8 block's mean); the
            size the file holds is then kept in ``info[FULL_SIZE]``. Other formats, and smaller
            JPEGs, are decoded whole.

    Returns:
        A loaded ``PIL.Image.Image`` (first frame for animations), upright per its EXIF tag. See
        :func:`full_size` for the size of the picture in the file.

    Raises:
        ImageError: empty, truncated, unreadable, not an image, larger than
            :data:`MAX_FILE_BYTES` or :data:`MAX_PIXELS`.
    """
    full = None  # the size the file holds, where it is decoded
    if isinstance(source, Image.Image):
        img = source
        try:  # an image opened lazily is decoded here, with the same one-line errors
            img.load()
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ImageError(f"the image is damaged or truncated ({_one_line(e)})") from e
    else:
        if isinstance(source, (bytes, bytearray)):
            data = bytes(source)
        elif isinstance(source, (str, os.PathLike)):
            try:
                if os.path.getsize(source) > MAX_FILE_BYTES:
                    raise ImageError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
                with open(source, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise ImageError(f"cannot read file: {e.strerror or e}") from e
        else:
            data = source.read(MAX_FILE_BYTES + 1)
        if not data:
            raise ImageError("the file is empty")
        if len(data) > MAX_FILE_BYTES:
            raise ImageError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        try:
            with warnings.catch_warnings():  # Pillow's warning would only fill the server's log
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img = Image.open(io.BytesIO(data))
            # Pillow only warns between MAX_PIXELS and twice that; this check refuses them all.
            if img.width * img.height > MAX_PIXELS:
                raise ImageError(
                    f"image is too large ({img.width}x{img.height} pixels; the limit is "
                    f"{MAX_PIXELS // 1_000_000} megapixels)"
                )
            img.seek(0)
            full = img.size
            if reduce_to is not None and img.format == "JPEG":
                # The largest factor that keeps the longer side at least reduce_to, asked for exactly
                # (Pillow takes the smaller of the two sides' factors).
                factor = next((f for f in (8, 4, 2) if max(img.size) // f >= reduce_to), 1)
                if factor > 1:
                    img.draft(None, (max(1, img.width // factor), max(1, img.height // factor)))
            img.load()
        except ImageError:
            raise
        except Image.DecompressionBombError as e:
            raise ImageError(f"image is too large (limit {MAX_PIXELS // 1_000_000} megapixels)") from e
        except UnidentifiedImageError as e:
            claimed = _claimed_format(data)
            if claimed:  # a PNG whose header's checksum is wrong: a damaged image, not some other file
                raise ImageError(f"the image is damaged (it starts like a {claimed} file but cannot be decoded)") from e
            raise ImageError("not an image file that can be read (such as PNG, JPEG, WebP, BMP or GIF)") from e
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ImageError(f"the image is damaged or truncated ({_one_line(e)})") from e
    if img.width < 1 or img.height < 1:
        raise ImageError("the image has no pixels")
    reduced = full is not None and img.size != full
    try:
        swaps = reduced and img.getexif().get(ExifTags.Base.Orientation) in _SWAPS_AXES
        img = ImageOps.exif_transpose(img)
        if swaps:  # only once the picture has really been turned
            full = full[::-1]
    except Exception as e:  # noqa: BLE001 - a bad EXIF block must not sink an otherwise good image
        warnings.warn(f"ignored unreadable EXIF data: {_one_line(e)}", stacklevel=2)
    if reduced:
        img.info[FULL_SIZE] = (full, img.size)
    return img


def full_size(img: Image.Image) -> tuple[int, int]:
    """(width, height) in pixels of the picture a file holds: ``img.size``, or the size recorded by
    :func:`load_image` when it decoded a smaller copy (``info[FULL_SIZE]``), as long as the image
    is still that copy (Pillow passes ``info`` on to a crop or a resized copy, whose size is its own)."""
    recorded = img.info.get(FULL_SIZE)
    if recorded is not None and tuple(recorded[1]) == img.size:
        return tuple(recorded[0])
    return img.size


def _claimed_format(data: bytes) -> str | None:
    """The upload format (one of :data:`UPLOAD_TYPES`) whose signature ``data`` starts with, by
    Pillow's own checks (each format plugin's ``_accept`` on the first 16 bytes, as ``Image.open``
    uses them), or None. Formats with loose signatures that uploads never use (XBM, EPS, ICO) are
    not asked, so that text or other files are not called damaged images."""
    Image.init()
    formats = {Image.registered_extensions().get("." + ext) for ext in UPLOAD_TYPES}
    for name, (_, accept) in Image.OPEN.items():
        if name not in formats:
            continue
        try:
            if accept and accept(data[:16]):
                return name
        except Exception:  # noqa: BLE001 - a check that fails on a short header says "not this format"
            continue
    return None


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__
