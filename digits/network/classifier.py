"""The trained classifier: load the committed model with its card, run it, apply the softmax.

The saved model outputs logits; the softmax (with a temperature, 1 unless the card gives another)
is applied here, so calibration and logit-based scores can use the raw logits.

The network is served by ONNX Runtime from the export beside the ``.keras`` file
(:mod:`digits.training.export`), not by TensorFlow: the same logits, in a fraction of the time, and
no ``keras`` module in the server process (Streamlit clears a Keras session after every script run
whenever one is imported).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import special

from digits.network.card import (
    BASELINE_FILE,
    FEATURES_LAYER,
    LOGITS_OUTPUT,
    MODEL_DIR,
    MODEL_FILE,
    SERVED_OUTPUTS,
    ModelCardError,
    card_error,
    card_path_for,
    check_temperature,
    read_card,
)
from digits.network.detector import Detector

#: Environment variable naming another folder of trained models than the project's ``model/``.
MODEL_DIR_ENV = "DIGIT_CANVAS_MODEL_DIR"


def model_dir() -> Path:
    """The folder of trained models: ``$DIGIT_CANVAS_MODEL_DIR`` if set, else the project's ``model/``."""
    return Path(os.environ.get(MODEL_DIR_ENV) or MODEL_DIR)


def default_model() -> Path:
    """The app's network, ``mnist_cnn.keras`` in :func:`model_dir`."""
    return model_dir() / MODEL_FILE


def baseline_model() -> Path:
    """The plain network, ``baseline_cnn.keras`` in :func:`model_dir`."""
    return model_dir() / BASELINE_FILE


def shipped_models() -> list[Path]:
    """Every shipped network's ``.keras`` file in :func:`model_dir`: the app's, the baseline, then
    the classic networks of :data:`digits.network.zoo.CLASSIC_NETWORKS` in table order; only those
    whose file exists."""
    from digits.network.zoo import CLASSIC_NETWORKS

    names = [Path(MODEL_FILE).stem, Path(BASELINE_FILE).stem, *CLASSIC_NETWORKS]
    return [p for p in (model_dir() / f"{n}.keras" for n in names) if p.is_file()]


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax over the last axis, ``exp(z / T) / sum(exp(z / T))`` (``scipy.special.softmax``).

    Args:
        logits: (..., K) float array.
        temperature: T > 0; T > 1 softens, T < 1 sharpens (Guo et al. 2017, "On calibration
            of modern neural networks").

    Returns:
        (..., K) float64 probabilities in [0, 1] that sum to 1 over the last axis.

    Raises:
        ValueError: ``temperature`` is not positive.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    return special.softmax(np.asarray(logits, dtype=np.float64) / temperature, axis=-1)


@dataclass
class Reading:
    """The classifier's reading of one 28x28 image.

    Attributes:
        label: the most probable digit, 0-9.
        confidence: its probability at the card's temperature (calibrated), in [0, 1].
        probabilities: (10,) float64 at the card's temperature, summing to 1.
        logits: (10,) float32 raw logits.
        raw_confidence: the top softmax probability at temperature 1, in [0, 1].
        ood_score: the detector's score (higher = less like a digit), None without a detector.
        is_digit: the detector's verdict (score at or under the threshold), None without one.
        features_off: whether every penultimate feature is exactly 0: then the logits are the last
            layer's bias alone, the same for every such picture. Outlier exposure (Hendrycks,
            Mazeika & Dietterich 2019) asks for a uniform softmax on non-digits, and the app's
            network learned to give it by switching its ReLU features off: so it answers most
            Fashion-MNIST pictures and photos. False for a network without a ``features`` layer.
    """

    label: int
    confidence: float
    probabilities: np.ndarray
    logits: np.ndarray
    raw_confidence: float
    ood_score: float | None = None
    is_digit: bool | None = None
    features_off: bool = False

    def raw_probabilities(self) -> np.ndarray:
        """(10,) softmax probabilities at temperature 1 (uncalibrated)."""
        return softmax(self.logits)


class Classifier:
    """The committed CNN with its model card.

    Attributes:
        card: the model card (a dict; see :mod:`digits.network.card`).
        temperature: the card's softmax temperature (1.0 when it has none), > 0.
        detector: the card's "not a digit" detector, or None when it has none.

    Args:
        model_path: the ``.keras`` file; its card is the ``.json`` beside it, the served network
            the ``.onnx`` file the card names. Default: :func:`default_model`.
        calibrated: use the card's fitted sections (temperature and detector). False gives the raw
            network (temperature 1, no detector) whatever those sections hold: what the calibration
            command fits.

    Raises:
        ModelCardError: the model or card is missing, unreadable or damaged (see
            :func:`digits.network.card.check_card` and :meth:`Detector.from_card`), the card's
            SHA-256s do not match the files, or there is no served export. The message is one line.
    """

    def __init__(self, model_path: str | os.PathLike | None = None, calibrated: bool = True):
        self.model_path = Path(model_path) if model_path is not None else default_model()
        card = read_card(self.model_path)
        if not calibrated:
            card = {k: v for k, v in card.items() if k not in ("calibration", "ood")}
        self.card: dict[str, Any] = card
        self.temperature = check_temperature(card, card_path_for(self.model_path))
        served = card.get("served")
        if not served:
            raise ModelCardError(
                f"{self.model_path.name} has no served network: export it with "
                f"`python -m digits.training.export --model {self.model_path}`."
            )
        import onnxruntime as ort

        options = ort.SessionOptions()
        # A server answers many short requests: threads that spin between them would burn the CPU
        # that other sessions need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(self.model_path.parent / served["file"]), options, providers=["CPUExecutionProvider"]
            )
        except Exception as e:
            raise ModelCardError(f"cannot load {served['file']}: {' '.join(str(e).split())[:200]}") from e
        self._input = self.session.get_inputs()[0].name
        outputs = self.session.get_outputs()
        names = served.get("outputs") or list(SERVED_OUTPUTS)
        if (
            len(outputs) != len(names)
            or LOGITS_OUTPUT not in names
            or outputs[names.index(LOGITS_OUTPUT)].shape[-1] != 10
        ):
            raise card_error(
                card_path_for(self.model_path),
                f"its served network has outputs {[o.shape for o in outputs]}, the card names {names}",
            )
        #: ONNX output name of each served output (``features``, ``logits``, activation layers).
        self._outputs = {name: o.name for name, o in zip(names, outputs, strict=True)}
        self.activation_names: list[str] = [n for n in names if n not in SERVED_OUTPUTS]
        self.feature_dim = int(outputs[names.index(FEATURES_LAYER)].shape[-1]) if FEATURES_LAYER in names else 0
        try:
            self.detector = Detector.from_card(self.card)
        except ValueError as e:
            raise card_error(card_path_for(self.model_path), str(e)) from e
        if (
            self.detector is not None
            and self.detector.needs_features
            and self.detector.mahalanobis.dim != self.feature_dim
        ):
            raise card_error(
                card_path_for(self.model_path),
                f"its Mahalanobis parameters have {self.detector.mahalanobis.dim} dimensions, the network's "
                f"'{FEATURES_LAYER}' layer {self.feature_dim}",
            )

    @property
    def outlier_exposure(self) -> dict[str, Any] | None:
        """The card's outlier-exposure settings (``weight``, ``pool``, ...), None for a network
        trained on digits alone."""
        return self.card.get("config", {}).get("outlier_exposure")

    def forward(self, images: np.ndarray, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
        """Penultimate-layer features and raw logits for a batch.

        Args:
            images: (N, 28, 28) or (N, 28, 28, 1) float in [0, 1], ink = 1.
            batch_size: images per forward pass.

        Returns:
            ``(features, logits)``: (N, D) and (N, 10) float32; D is :attr:`feature_dim`, 128 for
            the app's network and 0 for a network without a ``features`` layer.

        Raises:
            ValueError: wrong shape.
        """
        x = _batch(images)
        if len(x) == 0:
            return np.zeros((0, self.feature_dim), np.float32), np.zeros((0, 10), np.float32)
        names = [self._outputs[LOGITS_OUTPUT]] + ([self._outputs[FEATURES_LAYER]] if self.feature_dim else [])
        parts = [self.session.run(names, {self._input: x[i : i + batch_size]}) for i in range(0, len(x), batch_size)]
        logits = np.concatenate([p[0] for p in parts])
        if self.feature_dim == 0:
            return np.zeros((len(x), 0), np.float32), logits
        return np.concatenate([p[1] for p in parts]), logits

    def activations(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """The feature maps of each convolution block for one image.

        Args:
            image: (28, 28) or (28, 28, 1) float in [0, 1], ink = 1.

        Returns:
            ``{layer name: (H, W, C) float32}`` in network order (after ReLU, so >= 0); empty for a
            network without convolutions.

        Raises:
            ValueError: wrong shape.
        """
        if not self.activation_names:
            return {}
        x = _batch(np.asarray(image)[None])
        maps = self.session.run([self._outputs[n] for n in self.activation_names], {self._input: x})
        return {n: m[0] for n, m in zip(self.activation_names, maps, strict=True)}

    def logits(self, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """(N, 10) float32 raw logits for (N, 28, 28[, 1]) images; see :meth:`forward`."""
        return self.forward(images, batch_size)[1]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) float64 softmax probabilities at the card's temperature for (N, 28, 28[, 1])
        images in [0, 1]; see :meth:`forward`."""
        return softmax(self.logits(images), self.temperature)

    def read(self, image: np.ndarray, temperature: float | None = None) -> Reading:
        """Classify one (28, 28) float image in [0, 1]; see :class:`Reading`."""
        return self.read_batch(np.asarray(image)[None], temperature)[0]

    def read_batch(self, images: np.ndarray, temperature: float | None = None) -> list[Reading]:
        """Classify (N, 28, 28) float images in [0, 1] in one forward pass; one :class:`Reading` each,
        with the out-of-distribution verdict when the card has a detector."""
        features, logits = self.forward(images)
        t = self.temperature if temperature is None else temperature
        probs, raw = softmax(logits, t), softmax(logits)
        scores = self.detector.score(logits, features) if self.detector else [None] * len(logits)
        return [
            Reading(
                label=int(np.argmax(p)),
                confidence=float(p.max()),
                probabilities=p,
                logits=z,
                raw_confidence=float(r.max()),
                ood_score=None if sc is None else float(sc),
                is_digit=None if sc is None else self.detector.accepts(sc),
                features_off=bool(self.feature_dim) and not f.any(),
            )
            for p, r, z, sc, f in zip(probs, raw, logits, scores, features, strict=True)
        ]


def _batch(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28, 1) float32 from (N, 28, 28) or (N, 28, 28, 1); ValueError for other shapes."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise ValueError(f"expected (N, 28, 28[, 1]) images, got shape {x.shape}")
    return x


__all__ = [
    "Classifier",
    "ModelCardError",
    "Reading",
    "baseline_model",
    "default_model",
    "model_dir",
    "shipped_models",
    "softmax",
]
