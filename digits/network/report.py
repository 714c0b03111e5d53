"""A network's report: the figures of the "Inside the network" page, in a file beside the model.

``model/NAME.report.json`` holds, for one shipped network: its layers (name, type, output shape,
parameters), its confusion matrix on the 10,000 MNIST test digits with per-class precision and
recall, how many training images there are of each digit, its test accuracy and expected
calibration error, its Fashion-MNIST figures, and its 24 most confident test mistakes as small PNGs.
It is written at evaluation time (``python -m digits.evaluation.report``) and tied to the model by
the model's SHA-256, so the page works on a fresh clone without the MNIST files and never shows
figures of another model. The training history is in the model card.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from digits.network.card import ModelCardError

REPORT_SUFFIX = ".report.json"
#: How many confident mistakes a report shows.
MISTAKES_SHOWN = 24


def report_path_for(model_path: str | os.PathLike) -> Path:
    """``model/NAME.report.json`` for ``model/NAME.keras``."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + REPORT_SUFFIX)


def png_bytes(image: np.ndarray) -> bytes:
    """PNG bytes of a (H, W) uint8 grey picture (Pillow)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8), mode="L").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def encode_png(image: np.ndarray) -> str:
    """Base64 text of :func:`png_bytes`, for the JSON report."""
    return base64.b64encode(png_bytes(image)).decode("ascii")


def decode_png(text: str) -> np.ndarray:
    """(H, W) uint8 picture from :func:`encode_png`'s text."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(text))).convert("L"))


def read_report(model_path: str | os.PathLike, model_sha256: str) -> dict[str, Any]:
    """Read the report beside ``model_path`` and check that it describes that model.

    Args:
        model_path: the ``.keras`` file.
        model_sha256: the model's SHA-256 from its (verified) card.

    Returns:
        The report as a dict (see the module docstring).

    Raises:
        ModelCardError: the report is missing, not JSON, or written for another model; the message
            is one line and says how to write it again.
    """
    path = report_path_for(model_path)
    again = f"Write it with `python -m digits.evaluation.report --model {Path(model_path).name}`."
    if not path.is_file():
        raise ModelCardError(f"{path.name} is missing. {again}")
    try:
        report = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelCardError(f"{path.name} cannot be read ({' '.join(str(e).split())}). {again}") from e
    if not isinstance(report, dict) or report.get("model_sha256") != model_sha256:
        raise ModelCardError(f"{path.name} was written for another version of {Path(model_path).name}. {again}")
    return report
