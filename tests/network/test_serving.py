"""The served network (ONNX Runtime) answers as the trained Keras network does. (That the product
never loads TensorFlow or Keras is checked by tests/test_layout.py, on real runs of each page and
of predict.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from digits.datasets.mnist import to_model_input
from digits.network.card import read_card
from digits.network.classifier import Classifier, baseline_model, default_model
from digits.training.export import features_output


@pytest.mark.parametrize("path", [default_model(), baseline_model()], ids=["app model", "plain baseline"])
def test_served_logits_equal_the_keras_logits(path, mnist_test):
    """On 1,000 real test digits, the served features and logits equal the Keras model's within 1e-4."""
    import keras

    x = to_model_input(mnist_test[0][:1000])
    model = keras.models.load_model(path, compile=False)
    both = keras.Model(model.inputs, [features_output(model), model.outputs[0]])
    features, logits = (np.asarray(a) for a in both.predict(x, batch_size=500, verbose=0))
    served_features, served_logits = Classifier(path).forward(x)
    assert served_logits.shape == (1000, 10) and served_features.shape == features.shape
    assert np.abs(served_logits - logits).max() <= 1e-4
    assert np.abs(served_features - features).max() <= 1e-4
    assert read_card(path)["served"]["file"] == path.with_suffix(".onnx").name
