"""The model card: a JSON file beside the model that records how it was made and what it scores.

The card carries the training configuration (as nanoGPT's checkpoints do), the measured figures,
and the SHA-256 of the ``.keras`` file as saved. The app serves the network from an ONNX export
beside it (``served``: file, format, outputs and its own SHA-256), so that the server process never
loads TensorFlow. Loading code refuses a card whose hashes do not match the files, so figures shown
in the app always describe the model that answers.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

#: The folder of trained models, at the top of the project.
MODEL_DIR = Path(__file__).resolve().parent.parent.parent / "model"
MODEL_FILE = "mnist_cnn.keras"
CARD_FILE = "mnist_cnn.json"
#: The plain network (trained on digits only, no outlier exposure), kept for the non-digit page's
#: demonstration of a confidently wrong softmax.
BASELINE_FILE = "baseline_cnn.keras"
#: Score samples per evaluation set, for the non-digit page's chart (written by
#: ``python -m digits.evaluation.evaluate_ood``), tied to the app's model by its SHA-256.
SCORES_FILE = "ood_scores.json"
#: Name of the penultimate layer (the model contract: feature-space scores read it).
FEATURES_LAYER = "features"
#: The served network: an ONNX export (Open Neural Network Exchange) beside the ``.keras`` file,
#: same stem. Its outputs, in the order the card's ``served.outputs`` lists them: ``features`` (the
#: app's and the baseline's networks only), ``logits``, then the activations of each convolution
#: block, named by their Keras layer. A card without that list has the first two.
SERVED_SUFFIX = ".onnx"
SERVED_FORMAT = "onnx"
LOGITS_OUTPUT = "logits"
SERVED_OUTPUTS = (FEATURES_LAYER, LOGITS_OUTPUT)
#: The figures every card must hold (the app shows them), each a finite number at least this.
REQUIRED_FIGURES = {"test_accuracy": 0, "val_accuracy": 0, "parameters": 1, "epochs": 1, "training_seconds": 0}
#: How to mend a damaged card; said with every card error.
RESTORE = (
    "Restore the committed model with `git checkout model/`, or refit the card's calibration and "
    "detector with `python -m digits.training.calibration --data-dir DIR --model PATH`."
)


class ModelCardError(RuntimeError):
    """Raised when the model or its card is missing, unreadable, damaged, or they do not match.

    The message is one line for a user: what is wrong, and how to restore the card.
    """


def training_totals(card: dict[str, Any]) -> tuple[float, int, int]:
    """What it took to train a network, the runs it was fine-tuned from included (``train.py
    --init``, each recorded under the next one's ``config["init"]``, however many there were), and
    for an ensemble (:mod:`digits.training.ensemble`) every member's.

    Args:
        card: a model card with ``training_seconds`` and ``epochs``, or an ensemble's card, whose
            ``ensemble.members`` each have them.

    Returns:
        ``(seconds, epochs, fine_tuning_epochs)``: seconds and epochs of all the runs together, and the
        epochs of the fine-tuning runs (all but the first of each chain; 0 for a network trained from
        new weights).
    """
    members = ensemble_members(card)
    if members:
        totals = [training_totals(m) for m in members]
        return sum(t[0] for t in totals), sum(t[1] for t in totals), sum(t[2] for t in totals)
    seconds, epochs = [float(card["training_seconds"])], [int(card["epochs"])]  # newest run first
    init = (card.get("config") or {}).get("init")
    while init:
        config = init.get("config") or {}
        seconds.append(float(init.get("training_seconds") or 0.0))
        epochs.append(int(config.get("epochs") or 0))
        init = config.get("init")
    return sum(seconds), sum(epochs), sum(epochs[:-1])


def ensemble_members(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The member networks' records of an ensemble's card (``ensemble.members``: each with the
    figures and recipe of its own card), or ``[]`` for a single network."""
    ensemble = card.get("ensemble")
    members = ensemble.get("members") if isinstance(ensemble, dict) else None
    return [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []


def card_error(path: str | os.PathLike, problem: str) -> ModelCardError:
    """The one error for a damaged card: ``problem`` (what is wrong) and :data:`RESTORE`."""
    return ModelCardError(f"The model card {Path(path).name} is damaged: {problem}. {RESTORE}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_card(card: Any, path: str | os.PathLike) -> dict[str, Any]:
    """Check the parts of a card that every reader relies on.

    Args:
        card: the parsed JSON.
        path: the card's path, for the message.

    Returns:
        ``card``, unchanged.

    Raises:
        ModelCardError: not a JSON object; a figure of :data:`REQUIRED_FIGURES` missing, not a
            finite number or below its minimum; a ``config`` that is not an object, outlier-exposure
            settings without a numeric ``pool`` and ``weight``, or an ``ensemble`` section whose
            ``members`` are not two or more objects with numeric ``training_seconds`` and
            ``epochs``. (The fitted sections, ``calibration`` and ``ood``, are checked by
            :func:`check_temperature` and :meth:`digits.network.detector.Detector.from_card`, so
            that the calibration command can refit a card whose fitted sections are damaged.)
    """
    if not isinstance(card, dict):
        raise card_error(path, f"it holds a JSON {type(card).__name__}, not an object")
    for key, low in REQUIRED_FIGURES.items():
        if key not in card:
            raise card_error(path, f"'{key}' is missing")
        if not _is_number(card[key]) or card[key] < low:
            raise card_error(path, f"'{key}' is {card[key]!r}, not a number of at least {low}")
    config = card.get("config", {})
    if not isinstance(config, dict):
        raise card_error(path, "'config' is not an object")
    oe = config.get("outlier_exposure")
    if oe is not None and not (isinstance(oe, dict) and all(_is_number(oe.get(k)) for k in ("pool", "weight"))):
        raise card_error(path, "its outlier-exposure settings lack a numeric 'pool' and 'weight'")
    if "ensemble" in card:
        members = card["ensemble"].get("members") if isinstance(card["ensemble"], dict) else None
        if not isinstance(members, list) or len(members) < 2:
            raise card_error(path, "its 'ensemble' section does not list two or more members")
        for i, member in enumerate(members, 1):
            if not isinstance(member, dict) or not isinstance(member.get("config", {}), dict):
                raise card_error(path, f"ensemble member {i} is not an object with a 'config' object")
            for key in ("training_seconds", "epochs"):
                if not _is_number(member.get(key)) or member[key] < REQUIRED_FIGURES[key]:
                    raise card_error(path, f"ensemble member {i}'s '{key}' is {member.get(key)!r}, not a number")
    return card


def check_temperature(card: dict[str, Any], path: str | os.PathLike) -> float:
    """The card's softmax temperature (1.0 when it has none).

    Raises:
        ModelCardError: ``calibration`` is not an object, or its ``temperature`` is not a positive
            finite number.
    """
    calibration = card.get("calibration", {})
    if not isinstance(calibration, dict):
        raise card_error(path, "'calibration' is not an object")
    t = calibration.get("temperature", 1.0)
    if not _is_number(t) or t <= 0:
        raise card_error(path, f"the temperature is {t!r}, not a positive number")
    return float(t)


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


def served_path_for(model_path: str | os.PathLike) -> Path:
    """The served (ONNX) file for a model file: same folder and stem, :data:`SERVED_SUFFIX`."""
    return Path(model_path).with_suffix(SERVED_SUFFIX)


def write_card(model_path: str | os.PathLike, card: dict[str, Any], served_outputs: list[str] | None = None) -> Path:
    """Write ``card`` beside the model with the model file's current SHA-256 added as ``sha256``,
    and, when the served export exists beside it (:func:`served_path_for`), a ``served`` section
    with that file's name, format, outputs and SHA-256 (without it, no ``served`` section).

    Args:
        served_outputs: the served file's output names in order (given by the export); default:
            those of the card's ``served`` section, else :data:`SERVED_OUTPUTS`.

    Returns:
        The card's path.
    """
    old = card.get("served") if isinstance(card.get("served"), dict) else {}
    outputs = list(served_outputs or old.get("outputs") or SERVED_OUTPUTS)
    card = dict(card, sha256=sha256_file(model_path), model_file=Path(model_path).name)
    card.pop("served", None)
    served = served_path_for(model_path)
    if served.is_file():
        card["served"] = {
            "file": served.name,
            "format": SERVED_FORMAT,
            "outputs": outputs,
            "sha256": sha256_file(served),
        }
    path = card_path_for(model_path)
    path.write_text(json.dumps(card, indent=2) + "\n")
    return path


def check_model_hash(card: dict[str, Any], model_path: str | os.PathLike) -> None:
    """Check that the card's ``sha256`` is the ``.keras`` file's SHA-256.

    Raises:
        ModelCardError: it is not (one line, with both hashes' start and how to restore them).
    """
    model_path = Path(model_path)
    actual = sha256_file(model_path)
    if card.get("sha256") != actual:
        raise ModelCardError(
            f"The model card {card_path_for(model_path).name} does not match {model_path.name} (SHA-256 "
            f"{actual[:12]}… vs the card's {str(card.get('sha256'))[:12]}…): the model was changed without its "
            "card. Restore both with `git checkout model/`, or retrain with train.py."
        )


def read_card(model_path: str | os.PathLike, verify: bool = True) -> dict[str, Any]:
    """Read and (by default) verify the card of ``model_path``.

    Args:
        model_path: path of the ``.keras`` file.
        verify: check that the card's ``sha256`` equals the model file's hash, and that of its
            ``served`` section (when it has one) the served file's.

    Returns:
        The card as a dict.

    Raises:
        ModelCardError: model or card missing, card not valid JSON, hash mismatch, or a card that
            fails :func:`check_card`.
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
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise card_error(path, f"it cannot be read as JSON ({' '.join(str(e).split())})") from e
    check_card(card, path)
    if verify:
        check_model_hash(card, model_path)
        served = card.get("served")
        if served is not None:
            served_path = model_path.parent / str(served.get("file", "")) if isinstance(served, dict) else None
            if served_path is None or not served_path.is_file():
                raise card_error(path, "its served network file is missing or not named")
            if served.get("sha256") != sha256_file(served_path):
                raise ModelCardError(
                    f"The model card {path.name} does not match {served_path.name}: the served network was "
                    "changed without its card. Restore both with `git checkout model/`, or export again with "
                    "`python -m digits.training.export`."
                )
    return card
