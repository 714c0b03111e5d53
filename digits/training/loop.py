"""Training loop for the MNIST CNN (the definition lives in :mod:`digits.network.architecture`)."""

from __future__ import annotations

import importlib
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from digits.datasets.mnist import load_mnist, to_model_input, train_val_split
from digits.network.card import CARD_FILE, MODEL_FILE, read_card, write_card
from digits.training.export import export_served
from digits.training.outlier_pool import outlier_pool

# Augmentation ranges: small shifts, rotations and scale changes, as in the
# data-augmentation results of Simard, Steinkraus & Platt (2003) on MNIST.
SHIFT_FRACTION = 0.1  # up to 2.8 px
ROTATION_DEGREES = 10.0
ZOOM_FRACTION = 0.1
#: Outlier exposure (``--oe-weight``): pictures per generated source, and the offset that keeps
#: the pool's seed apart from the tuning set's.
OE_POOL_PER_SOURCE = 1500
OE_SEED_OFFSET = 1000


#: Elastic distortion (Simard, Steinkraus & Platt 2003, section 2) for this share of the pictures:
#: a displacement field uniform in [-1, 1] per pixel and axis, smoothed by a Gaussian of sigma
#: :data:`ELASTIC_SIGMA` px and scaled by :data:`ELASTIC_ALPHA` (Simard's values; about 1.4 px of
#: displacement, standard deviation), then bilinear resampling.
ELASTIC_SHARE = 0.5
ELASTIC_SIGMA = 4.0
ELASTIC_ALPHA = 34.0
#: Stroke-width augmentation: each picture is blended towards its 3x3 grey dilation by up to this
#: much, or towards its 3x3 grey erosion by up to :data:`ERODE_MAX` (drawn uniformly per picture).
DILATE_MAX = 1.0
ERODE_MAX = 0.5
#: ``--printed``: the seed offset of the printed training digits (training font families only).
PRINTED_SEED_OFFSET = 2000
#: Seed offset of the bold handwritten training digits (:mod:`digits.training.bold`).
BOLD_SEED_OFFSET = 3000
#: Seed offset of the training digits with a broken stroke (:mod:`digits.training.broken`).
BROKEN_SEED_OFFSET = 4000
#: The kinds of training digits drawn from MNIST's training digits (module ``digits.training.KIND``,
#: function ``KIND_digits``), in the order they join the training set, with their seed offsets.
DRAWN_SEED_OFFSETS = {"bold": BOLD_SEED_OFFSET, "broken": BROKEN_SEED_OFFSET}


def interpolate_weights(start: list[np.ndarray], tuned: list[np.ndarray], alpha: float) -> list[np.ndarray]:
    """Weight-space ensembling of a fine-tuned network with the network it started from (WiSE-FT:
    Wortsman et al. 2022, "Robust fine-tuning of zero-shot models", CVPR): ``(1 - alpha) * start +
    alpha * tuned``, weight by weight, batch-normalisation statistics included.

    Args:
        start: the starting network's weights (``keras.Model.get_weights()``: float32 arrays).
        tuned: the fine-tuned network's weights, the same shapes in the same order.
        alpha: in [0, 1]: 0 gives ``start``, 1 gives ``tuned``.

    Returns:
        The interpolated weights, float32 arrays of the same shapes.

    Raises:
        ValueError: ``alpha`` outside [0, 1], or the two lists do not match in length or shapes.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"the interpolation weight must be in [0, 1], not {alpha}")
    if len(start) != len(tuned) or any(np.shape(a) != np.shape(b) for a, b in zip(start, tuned, strict=False)):
        raise ValueError("the two networks' weights do not match: not the same architecture")
    mixed = ((1.0 - alpha) * np.asarray(a) + alpha * np.asarray(b) for a, b in zip(start, tuned, strict=True))
    return [m.astype(np.float32) for m in mixed]


def make_augmenter(seed: int, elastic: bool = False, stroke_width: bool = False):
    """A Keras pipeline for (N, 28, 28, 1) batches: optionally a random stroke width (thinner or
    bolder) and elastic distortion, then random rotation (±10°), zoom (±10%) and shift (±10%)."""
    import keras
    from keras import layers

    steps = []
    if stroke_width:
        steps.append(_stroke_width_layer(seed + 3))
    if elastic:
        steps.append(_elastic_layer(seed + 4))
    steps += [
        layers.RandomRotation(ROTATION_DEGREES / 360.0, fill_mode="constant", seed=seed),
        layers.RandomZoom(ZOOM_FRACTION, fill_mode="constant", seed=seed + 1),
        layers.RandomTranslation(SHIFT_FRACTION, SHIFT_FRACTION, fill_mode="constant", seed=seed + 2),
    ]
    return keras.Sequential(steps, name="augment")


def _elastic_layer(seed: int):
    """A training-only layer: elastic distortion (Simard et al. 2003) of a random
    :data:`ELASTIC_SHARE` of the pictures of a (N, H, W, 1) batch, N unknown until run time.

    (``keras.ops.image.elastic_transform`` takes the batch size from the static shape: in a
    compiled ``fit`` step, where it is unknown, it warped every picture of a batch into copies of
    the first one, and ``map_coordinates`` fails there too. Here the field is smoothed with
    ``keras.ops.depthwise_conv`` and applied by bilinear interpolation with ``keras.ops.take``.)
    """
    import keras
    from keras import ops

    radius = int(3 * ELASTIC_SIGMA)
    t = np.arange(-radius, radius + 1, dtype=np.float32)
    g = np.exp(-(t**2) / (2 * ELASTIC_SIGMA**2))
    g /= g.sum()
    # Separable: a column then a row of the Gaussian (a k x k kernel made each step 100x slower).
    down = np.tile(g[:, None, None, None], (1, 1, 2, 1)).astype(np.float32)  # (k, 1, 2, 1)
    across = np.tile(g[None, :, None, None], (1, 1, 2, 1)).astype(np.float32)  # (1, k, 2, 1)

    def warp(x, seeds):
        n, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
        field = keras.random.uniform((n, h, w, 2), -1.0, 1.0, seed=seeds)
        d = ELASTIC_ALPHA * ops.depthwise_conv(ops.depthwise_conv(field, down, padding="same"), across, padding="same")
        r = ops.arange(h, dtype="float32")[None, :, None] + d[..., 0]
        c = ops.arange(w, dtype="float32")[None, None, :] + d[..., 1]
        r0, c0 = ops.floor(r), ops.floor(c)
        flat = ops.reshape(x, (-1,))
        base = (ops.arange(n) * (h * w))[:, None, None]
        warped = 0.0
        for dr in (0, 1):  # bilinear: the four neighbours, zero outside the picture
            for dc in (0, 1):
                rr, cc = r0 + dr, c0 + dc
                weight = (1 - ops.abs(r - rr)) * (1 - ops.abs(c - cc))
                inside = (rr >= 0) & (rr <= h - 1) & (cc >= 0) & (cc <= w - 1)
                at = base + ops.cast(ops.clip(rr, 0, h - 1), "int32") * w + ops.cast(ops.clip(cc, 0, w - 1), "int32")
                warped = warped + ops.where(inside, weight * ops.take(flat, at), 0.0)
        warped = warped[..., None]
        pick = keras.random.uniform((n, 1, 1, 1), seed=seeds) < ELASTIC_SHARE
        return ops.where(pick, warped, x)

    return _training_only("elastic", seed, warp)


def _stroke_width_layer(seed: int):
    """A training-only layer: each picture ``x`` becomes ``x + u * DILATE_MAX * (dilate(x) - x)``
    for u in (0, 1], or ``x - |u| * ERODE_MAX * (x - erode(x))`` for u in [-1, 0), u uniform per
    picture; grey dilation and erosion are 3x3 max and min filters (``keras.ops.max_pool``)."""
    import keras
    from keras import ops

    def thicken_or_thin(x, seeds):
        dilated = ops.max_pool(x, 3, strides=1, padding="same")
        eroded = -ops.max_pool(-x, 3, strides=1, padding="same")
        u = keras.random.uniform((ops.shape(x)[0], 1, 1, 1), -1.0, 1.0, seed=seeds)
        return ops.where(u > 0, x + u * DILATE_MAX * (dilated - x), x + u * ERODE_MAX * (x - eroded))

    return _training_only("stroke_width", seed, thicken_or_thin)


def _training_only(name: str, seed: int, transform):
    """A Keras layer that applies ``transform(x, seed_generator)`` in training and passes ``x``
    through unchanged otherwise."""
    import keras

    class TrainingOnly(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, x, training=None):
            return transform(x, self.seed_generator) if training else x

    return TrainingOnly(name=name)


def train(
    *,
    epochs: int = 12,
    batch_size: int = 128,
    lr: float = 2e-3,
    seed: int = 1,
    data_dir: str | None = None,
    out_dir: Path = Path("model"),
    limit: int | None = None,
    augment: bool = True,
    oe_weight: float = 0.0,
    printed: int = 0,
    bold: int = 0,
    broken: int = 0,
    elastic: bool = False,
    stroke_width: bool = False,
    init: Path | None = None,
    wise: float | None = None,
    verbose: int = 1,
) -> dict[str, Any]:
    """Train, evaluate once on the test set, save the model and its card, then fit the
    temperature and the "not a digit" detector into the card (:mod:`digits.training.calibration`).

    ``printed`` adds that many digits printed in the training font families
    (:mod:`digits.training.printed`) to the training digits, ``bold`` that many MNIST training
    digits re-drawn with a broad pen (:mod:`digits.training.bold`), ``broken`` that many with a gap cut
    across one stroke (:mod:`digits.training.broken`); ``elastic`` and ``stroke_width`` add
    those augmentations (:func:`make_augmenter`). ``init`` starts from the weights of a network
    saved by this function (fine-tuning; its card is checked first, and the new card records its
    file, SHA-256, configuration and training time under ``config["init"]``) instead of a new one.
    ``wise`` (with ``init`` only) then moves the fine-tuned weights back towards the starting ones
    (:func:`interpolate_weights`; ``wise`` is its ``alpha``) before the network is evaluated and saved:
    the per-epoch history is the fine-tuning's, every other figure the interpolated network's.

    Returns:
        The card written to ``out_dir / mnist_cnn.json`` (see :mod:`digits.network.card`).

    Raises:
        digits.datasets.mnist.DataError: MNIST cannot be loaded.
        OSError: ``out_dir`` cannot be written.
        digits.network.card.ModelCardError: ``init`` has no valid card (:func:`digits.network.card.read_card`).
        ValueError: ``init`` is not an app network; ``wise`` without ``init`` or outside [0, 1].
    """
    if wise is not None and (init is None or not 0.0 <= wise <= 1.0):
        raise ValueError("wise interpolates a fine-tuned network with its init: give init, and a weight in [0, 1]")
    (x_all, y_all), (x_test, y_test) = load_mnist(data_dir)  # first, so a bad --data-dir fails fast
    init_card = None if init is None else _init_card(Path(init))

    import keras
    import tensorflow as tf

    from digits.network.architecture import build_model

    (x_train, y_train), (x_val, y_val) = train_val_split(x_all, y_all)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    pool = None
    if oe_weight > 0:
        per_source = OE_POOL_PER_SOURCE if limit is None else max(20, min(OE_POOL_PER_SOURCE, limit // 10))
        pool = outlier_pool(x_train, per_source, seed + OE_SEED_OFFSET)
    drawn = {}  # drawn from the training split only
    for kind, count in {"bold": bold, "broken": broken}.items():
        if count > 0:
            make = getattr(importlib.import_module(f"digits.training.{kind}"), f"{kind}_digits")
            drawn[kind] = make(x_train, y_train, count, seed + DRAWN_SEED_OFFSETS[kind])
    x_train, x_val, x_test = (to_model_input(a) for a in (x_train, x_val, x_test))
    y_train, y_val, y_test = (np.asarray(a, dtype=np.int32) for a in (y_train, y_val, y_test))
    n_mnist, n_printed, n_drawn = len(x_train), 0, {}
    if printed > 0:
        from digits.training.printed import printed_digits

        x_printed, y_printed = printed_digits(printed, seed + PRINTED_SEED_OFFSET)
        x_train, y_train = np.concatenate([x_train, x_printed]), np.concatenate([y_train, y_printed])
        n_printed = len(x_printed)
    for kind, (x_kind, y_kind) in drawn.items():
        x_train, y_train = np.concatenate([x_train, x_kind]), np.concatenate([y_train, y_kind])
        n_drawn[kind] = len(x_kind)

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()

    model = build_model() if init is None else keras.models.load_model(init, compile=False)
    start = model.get_weights() if wise is not None else None  # what --wise interpolates back towards
    if pool is None:
        ds = tf.data.Dataset.from_tensor_slices((x_train, y_train))
        ds = ds.shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True).batch(batch_size)
        if augment:
            augmenter = make_augmenter(seed, elastic, stroke_width)
            ds = ds.map(lambda x, y: (augmenter(x, training=True), y), deterministic=True)
        trainer, fit_data, fit_args = model, (ds.prefetch(tf.data.AUTOTUNE),), {}
        loss, n_fit = keras.losses.SparseCategoricalCrossentropy(from_logits=True), len(x_train)
    else:
        # Digits and outliers shuffled together, augmented by layers in a training-only wrapper (the
        # saved model stays the plain classifier). On the validation split this beat augmenting in
        # the tf.data pipeline (99.46% against 99.1% after 15-20 epochs).
        x_fit, y_fit, w_fit = _with_outliers(x_train, y_train, pool, oe_weight)
        trainer = (
            keras.Sequential([keras.Input(x_train.shape[1:]), make_augmenter(seed, elastic, stroke_width), model])
            if augment
            else model
        )
        fit_data = (x_fit, y_fit)
        fit_args = {"sample_weight": w_fit, "batch_size": batch_size, "shuffle": True}
        loss, n_fit = keras.losses.CategoricalCrossentropy(from_logits=True), len(x_fit)
        y_val, y_test = np.eye(10, dtype=np.float32)[y_val], np.eye(10, dtype=np.float32)[y_test]

    steps = epochs * int(np.ceil(n_fit / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=steps, alpha=0.01)
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=loss,
        metrics=["accuracy" if pool is None else keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    t0 = time.perf_counter()
    history = trainer.fit(*fit_data, epochs=epochs, validation_data=(x_val, y_val), verbose=verbose, **fit_args)
    seconds = time.perf_counter() - t0
    if start is not None:
        model.set_weights(interpolate_weights(start, model.get_weights(), wise))

    val_loss, val_acc = trainer.evaluate(x_val, y_val, verbose=0)  # augmentation is off outside training
    test_loss, test_acc = trainer.evaluate(x_test, y_test, verbose=0)

    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / MODEL_FILE
    model.save(model_path)
    _, served_outputs = export_served(model, model_path)  # what the app serves (ONNX); the card records its hash
    card = {
        "name": "mnist_cnn",
        "architecture": architecture_summary(model),
        "parameters": int(model.count_params()),
        "input": "(N, 28, 28, 1) float32 in [0, 1], ink = 1 (MNIST polarity)",
        "output": "(N, 10) float32 logits (no softmax)",
        "features_layer": "features",
        "config": {
            "epochs": epochs,
            "batch_size": batch_size,
            "lr": lr,
            "seed": seed,
            "limit": limit,
            "augment": augment,
            "augmentation": {
                "shift_fraction": SHIFT_FRACTION,
                "rotation_degrees": ROTATION_DEGREES,
                "zoom_fraction": ZOOM_FRACTION,
                "elastic": {"share": ELASTIC_SHARE, "sigma": ELASTIC_SIGMA, "keras_alpha": ELASTIC_ALPHA}
                if elastic
                else None,
                "stroke_width": {"dilate_max": DILATE_MAX, "erode_max": ERODE_MAX} if stroke_width else None,
            }
            if augment
            else None,
            "optimizer": "Adam, cosine decay to 1% of lr",
            "init": init_card,
            "weight_interpolation": None
            if wise is None
            else {"alpha": wise, "method": "WiSE-FT (Wortsman et al. 2022): (1 - alpha) x init + alpha x fine-tuned"},
            "outlier_exposure": None
            if pool is None
            else {
                "weight": oe_weight,
                "outlier_sample_weight": round(oe_weight * len(x_train) / len(pool), 4),
                "pool": len(pool),
                "pool_seed": seed + OE_SEED_OFFSET,
            },
        },
        "printed_digits": None
        if printed <= 0
        else {"count": n_printed, "seed": seed + PRINTED_SEED_OFFSET, "fonts": "train families"},
        **{
            f"{kind}_digits": {"count": n_drawn[kind], "seed": seed + offset, "source": "MNIST train"}
            if kind in n_drawn
            else None
            for kind, offset in DRAWN_SEED_OFFSETS.items()
        },
        "data": {"train": n_mnist, "validation": len(x_val), "test": len(x_test)},
        "epochs": epochs,
        "seed": seed,
        **_measured(seconds, (val_loss, val_acc), (test_loss, test_acc), history),
    }
    write_card(model_path, card, served_outputs)
    # Temperature, "not a digit" score and threshold, so that a retrain never leaves a stale card.
    from digits.training.calibration import calibrate_model

    card = calibrate_model(model_path, data_dir, limit=limit)  # its own seed, fixed: not the training seed
    return card | {"card_file": CARD_FILE}


def train_classic(
    spec,
    *,
    seed: int = 1,
    data_dir: str | None = None,
    out_dir: Path = Path("model"),
    limit: int | None = None,
    verbose: int = 1,
) -> dict[str, Any]:
    """Train one classic network (:class:`digits.network.zoo.NetworkSpec`) with its recipe, on
    digits alone and without augmentation; evaluate it once on the test set; save
    ``out_dir / NAME.keras``, its ONNX export and its card; then fit its temperature and its
    logit-based "not a digit" detector (:func:`digits.training.calibration.calibrate_model`).

    Returns:
        The card (see :mod:`digits.network.card`), with ``recipe`` and ``layers`` from the table.

    Raises:
        digits.datasets.mnist.DataError: MNIST cannot be loaded.
        OSError: ``out_dir`` cannot be written.
    """
    (x_all, y_all), (x_test, y_test) = load_mnist(data_dir)

    import keras

    from digits.network.architecture import build_classic

    (x_train, y_train), (x_val, y_val) = train_val_split(x_all, y_all)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    x_train, x_val, x_test = (to_model_input(a) for a in (x_train, x_val, x_test))
    y_train, y_val, y_test = (np.asarray(a, dtype=np.int32) for a in (y_train, y_val, y_test))

    keras.utils.set_random_seed(seed)
    recipe = spec.recipe
    model = build_classic(spec)
    optimizer = getattr(keras.optimizers, recipe.optimizer_title)  # keras.optimizers.Adam, .RMSprop
    model.compile(
        optimizer=optimizer(recipe.lr),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    t0 = time.perf_counter()
    history = model.fit(
        x_train,
        y_train,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        validation_data=(x_val, y_val),
        verbose=verbose,
    )
    seconds = time.perf_counter() - t0
    val_loss, val_acc = model.evaluate(x_val, y_val, verbose=0)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)

    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / f"{spec.name}.keras"
    model.save(model_path)
    _, served_outputs = export_served(model, model_path)
    card = {
        "name": spec.name,
        "title": spec.title,
        "layers": list(spec.layers),
        "recipe": recipe.to_card(),
        "architecture": architecture_summary(model),
        "parameters": int(model.count_params()),
        "input": "(N, 28, 28, 1) float32 in [0, 1], ink = 1 (MNIST polarity)",
        "output": "(N, 10) float32 logits (no softmax)",
        "features_layer": None,
        "config": {"seed": seed, "limit": limit, "augment": False, "outlier_exposure": None},
        "data": {"train": len(x_train), "validation": len(x_val), "test": len(x_test)},
        "epochs": recipe.epochs,
        "seed": seed,
        **_measured(seconds, (val_loss, val_acc), (test_loss, test_acc), history),
    }
    write_card(model_path, card, served_outputs)
    from digits.training.calibration import calibrate_model

    return calibrate_model(model_path, data_dir, limit=limit)


def _measured(seconds: float, val: tuple[float, float], test: tuple[float, float], history) -> dict[str, Any]:
    """The card's measured figures of a training run: time and machine, validation and test loss and
    accuracy (``(loss, accuracy)`` pairs), the per-epoch Keras history, the Keras version."""
    import keras
    import tensorflow as tf

    return {
        "training_seconds": round(seconds, 1),
        "training_machine": f"{platform.machine()}, {_cpu_count()} CPU cores, TensorFlow {tf.__version__}",
        "val_accuracy": float(val[1]),
        "val_loss": float(val[0]),
        "test_accuracy": float(test[1]),
        "test_loss": float(test[0]),
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "keras_version": keras.__version__,
    }


def _init_card(path: Path) -> dict[str, Any]:
    """What a fine-tuned card records of the network it started from (checked: hash and name)."""
    card = read_card(path)
    if card.get("name") != "mnist_cnn":
        raise ValueError(f"--init {path}: not an app network (its card names {card.get('name')!r})")
    if "ensemble" in card:
        raise ValueError(f"--init {path}: a deep ensemble; fine-tune one of its networks, then join them again")
    keep = ("sha256", "config", "printed_digits", "bold_digits", "broken_digits", "training_seconds", "val_accuracy")
    return {"file": path.name, **{k: card.get(k) for k in keep}}


def _with_outliers(x_train: np.ndarray, y_train: np.ndarray, pool: np.ndarray, weight: float):
    """Outlier exposure (Hendrycks, Mazeika & Dietterich 2019): the digits (one-hot targets, weight
    1) and the outliers (uniform targets) as one training set, to be shuffled together. Each
    outlier's weight is ``weight * n_digits / n_outliers``, so that over an epoch the outliers' loss
    counts ``weight`` times the digits' loss.

    Returns:
        ``(x, y, w)``: (N, 28, 28, 1) float32 images, (N, 10) float32 targets, (N,) float32 weights.
    """
    x = np.concatenate([x_train, pool])
    y = np.concatenate([np.eye(10, dtype=np.float32)[y_train], np.full((len(pool), 10), 0.1, np.float32)])
    w_out = weight * len(x_train) / len(pool)
    w = np.concatenate([np.ones(len(x_train), np.float32), np.full(len(pool), w_out, np.float32)])
    return x, y, w


def architecture_summary(model) -> list[str]:
    """One line per layer: ``name (ClassName) -> output shape``."""
    return [f"{layer.name} ({type(layer).__name__}) -> {tuple(layer.output.shape)}" for layer in model.layers]


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
