"""The model card: a JSON file beside the model that records how it was made and what it scores.

The card carries the training configuration (as nanoGPT's checkpoints do), the measured figures,
and the SHA-256 of the ``.keras`` file as saved. Loading code refuses a card whose hash does not
match the model, so figures shown in the app always describe the model that answers.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).resolve().parent.parent / "model"
MODEL_FILE = "mnist_cnn.keras"
CARD_FILE = "mnist_cnn.json"
#: The plain network (trained on digits only, no outlier exposure), kept for the non-digit page's
#: demonstration of a confidently wrong softmax.
BASELINE_FILE = "baseline_cnn.keras"
#: Name of the penultimate layer (the model contract: feature-space scores read it).
FEATURES_LAYER = "features"


class ModelCardError(RuntimeError):
    """Raised when the model or its card is missing, unreadable, or they do not match."""


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 digest (64 lowercase characters) of a file's bytes.

    Raises:
        OSError: the file cannot be read.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def card_path_for(model_path: str | os.PathLike) -> Path:
    """The card's path for a model file: same folder and stem, ``.json`` suffix."""
    return Path(model_path).with_suffix(".json")


def write_card(model_path: str | os.PathLike, card: dict[str, Any]) -> Path:
    """Write ``card`` beside the model with the model file's current SHA-256 added as ``sha256``.

    Returns:
        The card's path.
    """
    card = dict(card, sha256=sha256_file(model_path), model_file=Path(model_path).name)
    path = card_path_for(model_path)
    path.write_text(json.dumps(card, indent=2) + "\n")
    return path


def read_card(model_path: str | os.PathLike, verify: bool = True) -> dict[str, Any]:
    """Read and (by default) verify the card of ``model_path``.

    Args:
        model_path: path of the ``.keras`` file.
        verify: check that the card's ``sha256`` equals the model file's hash.

    Returns:
        The card as a dict.

    Raises:
        ModelCardError: model or card missing, card not valid JSON, or hash mismatch.
    """
    model_path = Path(model_path)
    path = card_path_for(model_path)
    if not model_path.is_file():
        raise ModelCardError(
            f"No trained model at {model_path}. Train one with `python train.py --data-dir DIR` "
            "(see the README), or restore model/ from the repository."
        )
    if not path.is_file():
        raise ModelCardError(f"The model card {path} is missing; retrain, or restore model/ from the repository.")
    try:
        card = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ModelCardError(f"The model card {path} cannot be read: {e}") from e
    if verify:
        actual = sha256_file(model_path)
        if card.get("sha256") != actual:
            raise ModelCardError(
                f"The model card {path.name} does not match {model_path.name} (SHA-256 {actual[:12]}… "
                f"vs the card's {str(card.get('sha256'))[:12]}…): the model was changed without its card. "
                "Retrain with train.py, or restore both files from the repository."
            )
    return card
