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
