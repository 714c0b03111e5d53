"""A deep ensemble of the app's network: independently trained networks whose logits are averaged.

Networks trained alike from different seeds make different mistakes, and averaging them gives
better predictions and better uncertainty than either alone (Lakshminarayanan, Pritzel & Blundell
2017, "Simple and scalable predictive uncertainty estimation using deep ensembles", who average the
members' probabilities). Here the *logits* are averaged, so that the ensemble is again one network
with logits: one temperature scales it, and the logit-based "not a digit" scores apply as they are.
For this app's two networks, measured on validation, more of the digits that people really make
are read (see the README's Retrain). The members are whole ``train.py`` chains (see the README's
Retrain), each with its own card; this module joins them into one Keras model, evaluates it once on
the test set, writes it with its card and its ONNX export, and fits its temperature and its "not a
digit" detector (:func:`digits.training.calibration.calibrate_model`), as ``train.py`` does for
one network.

The joined model is one graph: the first member's layers keep their names (its ``blockN_relu2``
activations are the feature maps the app shows), but for its features and logits layers
(``m1_features``, ``m1_logits``); member k's layers are named ``mk_<name>``; the output layer,
``logits``, is their mean (``keras.layers.Average``). The served file's ``features`` are every
member's side by side (:func:`digits.training.export.features_output`).

Usage::

    python -m digits.training.ensemble --data-dir ../shared/data/mnist --members A/mnist_cnn.keras B/mnist_cnn.keras
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from digits import cli
from digits.network.card import (
    CARD_FILE,
    FEATURES_LAYER,
    LOGITS_OUTPUT,
    MODEL_FILE,
    read_card,
    training_totals,
    write_card,
)

#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.training.ensemble"
#: How the card says the members are combined.
COMBINE = (
    "mean of the members' logits (a deep ensemble: Lakshminarayanan et al. 2017, who average the "
    "probabilities; logits here, so that one temperature and the logit scores apply)"
)
#: What a member's card keeps in the ensemble's card (how it was made and what it scored).
MEMBER_KEYS = (
    "sha256",
    "seed",
    "epochs",
    "config",
    "printed_digits",
    "bold_digits",
    "broken_digits",
    "training_seconds",
    "val_accuracy",
    "test_accuracy",
    "architecture",
    "parameters",
)


def member_name(k: int, layer: str) -> str:
    """The joined model's name for layer ``layer`` of member ``k`` (1-based): the first member's
    keep their names (its ``blockN_relu2`` feature maps are the ones served), but for its features
    and logits (``m1_features``, ``m1_logits``); the others' are ``mk_<layer>``."""
    return layer if k == 1 and layer not in (FEATURES_LAYER, LOGITS_OUTPUT) else f"m{k}_{layer}"


def build_ensemble(members: list) -> Any:
    """One Keras model whose logits are the mean of ``members``' logits.

    Args:
        members: two or more Keras models with one (None, 28, 28, 1) input and (None, 10) logits
            out, each a chain of layers (every layer takes the one before it, as the app's network
            and the classic networks do). Their weights are copied; the members are not changed.

    Returns:
        A ``keras.Model`` named ``mnist_cnn``: input (None, 28, 28, 1) float32 in [0, 1] (ink = 1),
        output (None, 10) float32 logits, the members' mean; layer names by :func:`member_name`.

    Raises:
        ValueError: fewer than two members, a member that is not a chain of layers from its input
            to its output (a ``keras.Sequential`` lists no input layer: give it as a functional
            model), or members whose shapes do not fit (Keras's own message).
    """
    import keras

    if len(members) < 2:
        raise ValueError(f"an ensemble needs at least two networks, not {len(members)}")
    inputs = keras.Input((28, 28, 1), name="image")
    outputs = []
    for k, member in enumerate(members, 1):
        x = inputs
        if member.layers[0].output is not member.inputs[0] or member.layers[-1].output is not member.outputs[0]:
            raise ValueError(f"member {k}: its layers do not run from its input to its output")
        for before, layer in zip(member.layers, member.layers[1:], strict=False):
            if layer.input is not before.output:
                raise ValueError(f"member {k}: layer {layer.name} does not take {before.name}'s output")
            copy = type(layer).from_config({**layer.get_config(), "name": member_name(k, layer.name)})
            x = copy(x)
            copy.set_weights(layer.get_weights())
        outputs.append(x)
    return keras.Model(inputs, keras.layers.Average(name=LOGITS_OUTPUT)(outputs), name="mnist_cnn")


def make_ensemble(
    member_paths: list[Path], data_dir: str | None = None, out_dir: Path = Path("model"), limit: int | None = None
) -> dict:
    """Join the app networks at ``member_paths`` (:func:`build_ensemble`), evaluate the ensemble on
    the validation split and, once, on the test set, write ``out_dir/mnist_cnn.keras``, its ONNX
    export and its card, and calibrate it (temperature and detector).

    The card is the first member's (its recipe and outlier-exposure settings, which the members
    share, and its training history), with the ensemble's architecture, parameters and accuracies,
    and an ``ensemble`` section: how the logits are combined, each member's :data:`MEMBER_KEYS` from
    its own card, and ``training_seconds``, every member's training added up
    (:func:`digits.network.card.training_totals`).

    Args:
        member_paths: two or more ``.keras`` files of app networks (``mnist_cnn``, each with its card,
            none an ensemble itself, no two the same file content).
        data_dir: the MNIST IDX folder; None: ``$MNIST_DIR``, else Keras's download.
        out_dir: where the three files go. They are made in a temporary folder inside it and moved
            into place once all three are written and calibrated, so a failure leaves what was there.
        limit: calibrate as a ``train.py --limit`` smoke run does (tests).

    Returns:
        The card as written (calibration and detector included), with ``card_file``, its file name.

    Raises:
        digits.network.card.ModelCardError: a member or its card is missing or damaged, is not a
            single app network, or cannot be loaded or joined (one line); the export fails.
        digits.datasets.mnist.DataError: MNIST cannot be loaded.
        ValueError: fewer than two members, the same network twice, or a member that would be
            overwritten by the ensemble.
        OSError: ``out_dir`` cannot be written.
    """
    import shutil
    import tempfile

    import keras

    from digits.datasets.mnist import load_mnist, to_model_input, train_val_split
    from digits.network.card import ModelCardError, card_path_for, served_path_for
    from digits.training.calibration import calibrate_model
    from digits.training.export import export_served
    from digits.training.loop import architecture_summary

    model_path = out_dir / MODEL_FILE
    if len(member_paths) < 2:
        raise ValueError(f"an ensemble needs at least two networks, not {len(member_paths)}")
    cards = []
    for path in member_paths:
        if Path(path).resolve() == model_path.resolve():
            raise ValueError(f"{path} would be overwritten by the ensemble: give another --out")
        card = read_card(path)
        if card.get("name") != "mnist_cnn" or "ensemble" in card:
            raise ModelCardError(f"{path}: not a single app network (its card names {card.get('name')!r})")
        if any(c["sha256"] == card["sha256"] for c in cards):
            raise ValueError(f"{path}: the same network as another member")
        cards.append(card)
    (x_all, y_all), (x_test, y_test) = load_mnist(data_dir)
    _, (x_val, y_val) = train_val_split(x_all, y_all)
    t0 = time.perf_counter()
    try:
        model = build_ensemble([keras.models.load_model(p, compile=False) for p in member_paths])
    except Exception as e:  # Keras's messages run over several lines
        raise ModelCardError(
            f"cannot join {', '.join(map(str, member_paths))}: {' '.join(str(e).split())[:300]}"
        ) from e
    seconds = time.perf_counter() - t0

    # Measured as train.py measures its networks: Keras's cross-entropy on the logits, and accuracy.
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    val_loss, val_acc = model.evaluate(to_model_input(x_val), y_val, batch_size=512, verbose=0)
    test_loss, test_acc = model.evaluate(to_model_input(x_test), y_test, batch_size=512, verbose=0)
    first = cards[0]
    members = [{"file": str(p), **{k: c.get(k) for k in MEMBER_KEYS}} for p, c in zip(member_paths, cards, strict=True)]
    card = {
        **{k: v for k, v in first.items() if k not in ("calibration", "ood", "served", "sha256", "model_file")},
        "architecture": architecture_summary(model),
        "parameters": int(model.count_params()),
        "output": "(N, 10) float32 logits (no softmax): the mean of the members' logits",
        "ensemble": {
            "combine": COMBINE,
            "seconds_to_join": round(seconds, 1),
            "members": members,
            "training_seconds": round(training_totals({"ensemble": {"members": members}})[0], 1),
        },
        "val_accuracy": float(val_acc),
        "val_loss": float(val_loss),
        "test_accuracy": float(test_acc),
        "test_loss": float(test_loss),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as work:
        staged = Path(work) / MODEL_FILE
        model.save(staged)
        try:
            _, served_outputs = export_served(model, staged)
        except Exception as e:  # tf2onnx's errors are long
            raise ModelCardError(f"the ONNX export failed: {' '.join(str(e).split())[:300]}") from e
        write_card(staged, card, served_outputs)
        calibrate_model(staged, data_dir, limit=limit)
        for path in (staged, served_path_for(staged), card_path_for(staged)):
            shutil.move(path, out_dir / path.name)
    return read_card(model_path) | {"card_file": CARD_FILE}


def main(argv: list[str] | None = None) -> int:
    p = cli.parser(PROG, __doc__.split("\n\n")[0])
    p.add_argument("--members", nargs="+", required=True, help="the app networks to join (NAME.keras with its card)")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--out", default="model", help="output directory for mnist_cnn.keras, .json and .onnx")
    args = p.parse_args(argv)
    if len(args.members) < 2:
        p.error("--members needs at least two networks")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.network.card import ModelCardError

    try:
        card = make_ensemble([Path(m) for m in args.members], args.data_dir, Path(args.out))
    except (DataError, ModelCardError, OSError, ValueError) as e:
        return cli.fail(PROG, e)
    print(
        f"test accuracy {card['test_accuracy']:.4f}, validation accuracy {card['val_accuracy']:.4f}; "
        f"wrote {Path(args.out) / MODEL_FILE}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
