"""The CNN: (N, 28, 28, 1) float32 in [0, 1] (ink = 1) -> (N, 10) logits.

There is no softmax inside the model: the package applies it (with a temperature) so that
calibration and logit-based scores (energy, maximum softmax probability) work on raw logits.
The penultimate layer is named ``features`` (the embedding used by feature-space scores).

Architecture in the style of the Keras examples' "Simple MNIST convnet", deepened with a
second convolution per block and batch normalisation (Ioffe & Szegedy 2015).
"""

from __future__ import annotations

import keras
from keras import layers

from digits.network.card import FEATURES_LAYER

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def conv_block(x, filters: int, name: str):
    """Two 3x3 convolutions, each with batch normalisation and ReLU, then 2x2 max-pooling."""
    for i in (1, 2):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
        x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = layers.ReLU(name=f"{name}_relu{i}")(x)
    return layers.MaxPooling2D(2, name=f"{name}_pool")(x)


def build_model(dropout: float = 0.3) -> keras.Model:
    """Build the uncompiled classifier.

    Args:
        dropout: dropout rate before the ``features`` layer, in [0, 1).

    Returns:
        A Functional ``keras.Model`` mapping (N, 28, 28, 1) float32 to (N, 10) float32 logits.
    """
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = conv_block(inputs, 32, "block1")  # 14x14x32
    x = conv_block(x, 64, "block2")  # 7x7x64
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    outputs = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn")


def build_classic(spec) -> keras.Model:
    """Build one classic network from its layer list (:class:`digits.network.zoo.NetworkSpec`).

    Each entry of ``spec.layers`` becomes one Keras layer: ``"Conv F KxK ReLU"`` (``Conv2D``,
    "valid" padding), ``"MaxPool 2"``, ``"AvgPool 2"``, ``"Dropout R"``, ``"Flatten"``, ``"Dense U
    [ReLU]"``. The last layer is named ``logits`` (no softmax); convolutions are named ``conv1``,
    ``conv2``, ... (their outputs are the activations the app shows).

    Returns:
        A Functional ``keras.Model`` mapping (N, 28, 28, 1) float32 to (N, 10) float32 logits.

    Raises:
        ValueError: an entry that is none of the above, or a last layer that is not ``Dense 10``.
    """
    if spec.layers[-1] != f"Dense {NUM_CLASSES}":
        raise ValueError(f"{spec.name}: the last layer must be 'Dense {NUM_CLASSES}', not {spec.layers[-1]!r}")
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = inputs
    counts: dict[str, int] = {}
    for i, entry in enumerate(spec.layers):
        words = entry.split()
        kind = words[0]
        counts[kind] = counts.get(kind, 0) + 1
        name = f"{kind.lower()}{counts[kind]}"
        relu = "relu" if words[-1] == "ReLU" else None
        if kind == "Conv":
            k = int(words[2].split("x")[0])
            x = layers.Conv2D(int(words[1]), k, padding="valid", activation=relu, name=name)(x)
        elif kind in ("MaxPool", "AvgPool"):
            pool = layers.MaxPooling2D if kind == "MaxPool" else layers.AveragePooling2D
            x = pool(int(words[1]), name=name)(x)
        elif kind == "Dropout":
            x = layers.Dropout(float(words[1]), name=name)(x)
        elif kind == "Flatten":
            x = layers.Flatten(name=name)(x)
        elif kind == "Dense":
            last = i == len(spec.layers) - 1
            x = layers.Dense(int(words[1]), activation=relu, name="logits" if last else name)(x)
        else:
            raise ValueError(f"{spec.name}: unknown layer {entry!r}")
    return keras.Model(inputs, x, name=spec.name)


def activation_layers(model: keras.Model) -> list[str]:
    """The names of the layers whose outputs the app shows as feature maps: the last ReLU of each
    convolution block of the app's network (``blockN_relu2``), or each convolution of a classic
    network (``convN``, ReLU inside). Empty for networks without convolutions."""
    names = [layer.name for layer in model.layers]
    own = [n for n in names if n.startswith("block") and n.endswith("_relu2")]
    return own or [n for n in names if n.startswith("conv")]
