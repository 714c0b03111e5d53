"""Occlusion sensitivity (Zeiler & Fergus 2014) and feature maps, on real test digits."""

from __future__ import annotations

import numpy as np
import pytest

from digits.network.classifier import softmax
from digits.network.explain import feature_grid, most_active, occluded_copies, occlusion_map


@pytest.fixture(scope="module")
def clear_digits(classifier, mnist_test):
    """20 test digits the app's network reads right with at least 99% confidence."""
    x, y = mnist_test
    images = x[:200] / 255.0
    p = classifier.probabilities(images)
    clear = np.flatnonzero((p.argmax(1) == y[:200]) & (p.max(1) >= 0.99))[:20]
    assert len(clear) == 20
    return images[clear], y[:200][clear]


def test_squares_cover_every_pixel_and_both_edges_alike():
    copies, boxes = occluded_copies(np.zeros((28, 28)))
    covered = np.zeros((28, 28), int)
    for r0, r1, c0, c1 in boxes:
        covered[r0:r1, c0:c1] += 1
    assert covered.min() > 0 and (covered == covered[::-1, ::-1]).all() and (covered == covered.T).all()
    assert copies.shape == (len(boxes), 28, 28) and np.isin(copies, (0.0, 0.5)).all()
    with pytest.raises(ValueError):
        occluded_copies(np.zeros((28, 27)))


def test_the_map_lies_on_the_ink(classifier, clear_digits):
    """For clear digits, covering the ink lowers the prediction more than covering the paper."""
    for image, label in zip(*clear_digits, strict=True):
        heat, followed = occlusion_map(classifier.probabilities, image)
        assert followed == label
        ink = image > 0.5
        assert heat[ink].mean() > heat[~ink].mean(), label


def test_the_map_changes_when_the_weights_are_randomised(classifier, clear_digits):
    """Adebayo et al. (2018), model-parameter randomisation: a map that survived random weights
    would describe the picture, not the network."""
    import keras

    model = keras.models.load_model(classifier.model_path, compile=False)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights(
                [rng.normal(0, w.std() or 0.05, w.shape).astype(w.dtype) if w.ndim > 1 else w for w in weights]
            )

    def random_probabilities(x):
        return softmax(np.asarray(model(x[..., None], training=False)))

    correlations = []
    for image, label in zip(*clear_digits, strict=True):
        trained, _ = occlusion_map(classifier.probabilities, image, int(label))
        randomised, _ = occlusion_map(random_probabilities, image, int(label))
        correlations.append(np.corrcoef(trained.ravel(), randomised.ravel())[0, 1])
    assert np.nanmedian(correlations) < 0.5, correlations


def test_feature_maps_of_a_real_digit(classifier, clear_digits):
    maps = classifier.activations(clear_digits[0][0])
    assert [m.shape for m in maps.values()] == [(28, 28, 32), (14, 14, 64)]
    assert all(m.min() >= 0 and m.max() > 0 for m in maps.values())  # after ReLU, and not silent
    shown, channels = most_active(maps["block2_relu2"], 16)
    means = maps["block2_relu2"].mean(axis=(0, 1))
    assert shown.shape == (14, 14, 16) and means[channels].min() >= np.delete(means, channels).max()
    grid = feature_grid(maps["block2_relu2"], columns=16)
    assert grid.shape == (4 * 15 - 1, 16 * 15 - 1)
    assert np.nanmax(grid) == 1.0 and np.isnan(grid[14, :]).all()  # scaled by the layer's top; gaps
