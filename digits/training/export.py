"""Export a trained Keras network for serving: ONNX, run by ONNX Runtime in the app and the CLI.

The served file has one input, (N, 28, 28, 1) float32 in [0, 1] with ink = 1, and two outputs in
:data:`digits.network.card.SERVED_OUTPUTS` order: the ``features`` layer (N, 128) and the logits
(N, 10). Serving it keeps TensorFlow and Keras out of the server process: Streamlit calls
``keras.backend.clear_session()`` after every script run whenever ``keras`` is imported, and that
was most of a rerun's cost. Keras exports through tf2onnx (``model.export(path, format="onnx")``,
Keras 3 export API); the model must have been called once first.

Usage::

    python -m digits.training.export                      # both committed networks
    python -m digits.training.export --model PATH.keras   # another one

Each export rewrites the card beside the model with the served file's SHA-256 (nothing else in the
card changes). ``train.py`` exports every network it trains.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from digits.network.card import (
    FEATURES_LAYER,
    ModelCardError,
    check_model_hash,
    read_card,
    served_path_for,
    write_card,
)


def export_served(model, model_path: str | os.PathLike) -> Path:
    """Write the ONNX export of ``model`` beside ``model_path`` (:func:`served_path_for`).

    Args:
        model: the Keras model (input (None, 28, 28, 1), a layer named ``features``, logits out).
        model_path: the ``.keras`` file's path; the export takes its stem and folder.

    Returns:
        The served file's path. It is written to a temporary file first and moved into place, so a
        failed export never leaves half a file.

    Raises:
        ValueError: the model has no ``features`` layer.
    """
    import keras

    try:
        features = model.get_layer(FEATURES_LAYER).output
    except ValueError as e:
        raise ValueError(f"the model has no '{FEATURES_LAYER}' layer to export") from e
    both = keras.Model(model.inputs, [features, model.outputs[0]])
    with warnings.catch_warnings():  # a tensor for a one-input model named "image": as intended
        warnings.simplefilter("ignore", UserWarning)
        both(np.zeros((1, 28, 28, 1), np.float32), training=False)  # an export needs a called model
    target = served_path_for(model_path)
    fd, tmp = tempfile.mkstemp(suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        both.export(tmp, format="onnx", verbose=False)
        os.chmod(tmp, 0o644)  # mkstemp's file is private; the served file is read by the server
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target


def export_model(model_path: str | os.PathLike) -> Path:
    """Load a trained ``.keras`` model, export it (:func:`export_served`) and rewrite its card.

    Raises:
        ModelCardError: the model or its card is missing or damaged, or the card's SHA-256 does
            not match the ``.keras`` file (see :func:`digits.network.card.check_model_hash`; the
            served file is not checked, it is replaced).
    """
    import keras

    model_path = Path(model_path)
    card = read_card(model_path, verify=False)  # the served file is about to be replaced
    check_model_hash(card, model_path)
    try:
        model = keras.models.load_model(model_path, compile=False)
    except Exception as e:
        raise ModelCardError(f"cannot load {model_path}: {' '.join(str(e).split())[:200]}") from e
    served = export_served(model, model_path)
    write_card(model_path, card)
    return served


def main(argv: list[str] | None = None) -> int:
    from digits.network.classifier import baseline_model, default_model

    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument(
        "--model", action="append", help="a .keras file to export (repeatable); default: the app's and the baseline"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for path in args.model or [default_model(), baseline_model()]:
        try:
            print(f"{path} -> {export_model(path)}")
        except (ModelCardError, ValueError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
