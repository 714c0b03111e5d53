"""Export a trained Keras network for serving: ONNX, run by ONNX Runtime in the app and the CLI.

The served file has one input, (N, 28, 28, 1) float32 in [0, 1] with ink = 1, and the outputs
:func:`served_outputs` names, in that order: the ``features`` (N, 128) when the network has them
(a deep ensemble's: (N, 128 x networks), :func:`features_output`), the logits (N, 10), then the
activations of each convolution block (N, H, W, C), which the app shows as feature maps. Serving
it keeps TensorFlow and Keras out of the server process: Streamlit calls
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

import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from digits import cli
from digits.network.card import (
    FEATURES_LAYER,
    LOGITS_OUTPUT,
    ModelCardError,
    check_model_hash,
    read_card,
    served_path_for,
    write_card,
)

#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.training.export"


def features_output(model):
    """The symbolic tensor served as ``features``, (None, D) float32: the output of the model's
    ``features`` layer (D = 128 for the app's network), or, for a deep ensemble
    (:mod:`digits.training.ensemble`), its members' ``m1_features``, ``m2_features``, ... outputs side
    by side in member order (D = 128 x members), so that "every feature is 0" still means that the
    logits are the last layers' biases alone; None for a network without such layers."""
    import keras

    names = {layer.name for layer in model.layers}
    if FEATURES_LAYER in names:
        return model.get_layer(FEATURES_LAYER).output
    members, k = [], 1
    while f"m{k}_{FEATURES_LAYER}" in names:
        members.append(model.get_layer(f"m{k}_{FEATURES_LAYER}").output)
        k += 1
    return keras.layers.Concatenate(name=FEATURES_LAYER)(members) if members else None


def served_outputs(model) -> list[str]:
    """The served file's output names for a Keras model, in order: ``features`` if the model has
    them (:func:`features_output`), ``logits``, then
    :func:`digits.network.architecture.activation_layers`."""
    from digits.network.architecture import activation_layers

    names = {layer.name for layer in model.layers}
    has_features = FEATURES_LAYER in names or f"m1_{FEATURES_LAYER}" in names
    return [FEATURES_LAYER] * has_features + [LOGITS_OUTPUT] + activation_layers(model)


def export_served(model, model_path: str | os.PathLike) -> tuple[Path, list[str]]:
    """Write the ONNX export of ``model`` beside ``model_path`` (:func:`served_path_for`).

    Args:
        model: the Keras model (input (None, 28, 28, 1), logits out).
        model_path: the ``.keras`` file's path; the export takes its stem and folder.

    Returns:
        ``(path, outputs)``: the served file's path and its output names (:func:`served_outputs`),
        for the card. The file is written to a temporary file first and moved into place, so a
        failed export never leaves half a file.
    """
    import keras

    names = served_outputs(model)
    picked = {LOGITS_OUTPUT: model.outputs[0], FEATURES_LAYER: features_output(model)}
    tensors = [picked[n] if n in picked else model.get_layer(n).output for n in names]
    both = keras.Model(model.inputs, tensors)
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
    return target, names


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
    served, outputs = export_served(model, model_path)
    write_card(model_path, card, outputs)
    return served


def main(argv: list[str] | None = None) -> int:
    from digits.network.classifier import shipped_models

    parser = cli.parser(PROG, __doc__.split("\n\n")[0])
    parser.add_argument(
        "--model", action="append", help="a .keras file to export (repeatable); default: every shipped network"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for path in args.model or shipped_models():
        try:
            print(f"{path} -> {export_model(path)}")
        except (ModelCardError, ValueError, OSError) as e:
            return cli.fail(PROG, e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
