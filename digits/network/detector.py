"""The "not a digit" detector: an out-of-distribution (OOD) score and its threshold, from the card.

The score is one of those of :mod:`digits.network.scores`, computed from the classifier's logits
and its ``features`` layer, chosen by AUROC on held-out tuning outliers; the threshold rejects at
most 0.5% of the MNIST validation digits. Both are fitted by :mod:`digits.training.calibration`
and stored in the model card's ``"ood"`` section, so the app and the CLI use the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from digits.network import scores as ood

#: The scores that can be chosen. "combined" is the sum of the energy and Mahalanobis scores,
#: each z-scored on the validation digits (:func:`digits.network.scores.combine_scores`).
SCORES = ("msp", "energy", "mahalanobis", "combined")
COMBINED_PARTS = ("energy", "mahalanobis")

#: Display names of the scores. The MSP score is flipped (higher means less like a digit), and its
#: name says so: a page that printed "maximum softmax probability 2e-06" for a digit read at 100%
#: would contradict its own chart.
SCORE_NAMES = {
    "msp": "1 − maximum softmax probability",
    "energy": "energy",
    "mahalanobis": "Mahalanobis distance",
    "combined": "energy + Mahalanobis (z-scored)",
}


#: The scores that need only the logits (all a network without a ``features`` layer can have).
LOGIT_SCORES = ("msp", "energy")


def all_scores(
    logits: np.ndarray, features: np.ndarray, mahalanobis: ood.MahalanobisParams | None
) -> dict[str, np.ndarray]:
    """The single scores, each (N,) float64 with higher = more likely not a digit.

    Args:
        logits: (N, 10) raw logits.
        features: (N, D) ``features``-layer activations (unused without ``mahalanobis``).
        mahalanobis: class means and tied precision fitted on training features, or None for a
            network without a ``features`` layer.

    Returns:
        ``{"msp": ..., "energy": ...}``, MSP and energy at temperature 1, and ``"mahalanobis"``
        when ``mahalanobis`` is given.
    """
    out = {"msp": ood.msp_score(logits), "energy": ood.energy_score(logits)}
    if mahalanobis is not None:
        out["mahalanobis"] = ood.mahalanobis_score(features, mahalanobis)
    return out


@dataclass
class Detector:
    """A fitted detector.

    Attributes:
        score_name: one of :data:`SCORES`.
        threshold: scores above it are "not a digit".
        mahalanobis: parameters of the Mahalanobis score; None for a detector on the logits alone
            (:data:`LOGIT_SCORES`), as the classic networks have.
        standardizer: ``{"mean", "std"}`` of :data:`COMBINED_PARTS` on validation digits
            (used by "combined").
    """

    score_name: str
    threshold: float
    mahalanobis: ood.MahalanobisParams | None
    standardizer: dict[str, list[float]] | None = None

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> Detector | None:
        """The detector in a card's ``"ood"`` section, or None when the card has none.

        Raises:
            ValueError: the section is malformed: not an object, an unknown score, a threshold
                missing or not a finite number, bad Mahalanobis parameters, or (for "combined")
                a standardizer without a positive ``std`` per part. The message says which.
        """
        section = card.get("ood")
        if not section:
            return None
        if not isinstance(section, dict):
            raise ValueError("its 'ood' section is not an object")
        name = section.get("score")
        if name not in SCORES:
            raise ValueError(f"its 'ood' section names an unknown score {name!r}")
        threshold = section.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
            raise ValueError(f"its 'ood' threshold is {threshold!r}, not a number")
        mahalanobis = None
        if name not in LOGIT_SCORES or section.get("mahalanobis") is not None:
            try:
                mahalanobis = ood.mahalanobis_from_json(section.get("mahalanobis"))
            except (KeyError, TypeError, ValueError) as e:
                raise ValueError(f"its 'ood' Mahalanobis parameters are damaged ({' '.join(str(e).split())})") from e
        standardizer = section.get("standardizer")
        if standardizer is not None or name == "combined":
            try:
                ood.combine_scores(np.zeros((1, len(COMBINED_PARTS))), standardizer)
            except (KeyError, TypeError, ValueError) as e:
                raise ValueError(f"its 'ood' standardizer is damaged ({' '.join(str(e).split())})") from e
        return cls(score_name=name, threshold=float(threshold), mahalanobis=mahalanobis, standardizer=standardizer)

    def scores(self, logits: np.ndarray, features: np.ndarray) -> dict[str, np.ndarray]:
        """Every score of :data:`SCORES` for a batch (see :func:`all_scores`)."""
        out = all_scores(logits, features, self.mahalanobis)
        if self.standardizer is not None and self.mahalanobis is not None:
            out["combined"] = ood.combine_scores(np.stack([out[k] for k in COMBINED_PARTS], axis=1), self.standardizer)
        return out

    @property
    def needs_features(self) -> bool:
        """Whether the detector reads the ``features`` layer (its Mahalanobis parameters)."""
        return self.mahalanobis is not None

    def score(self, logits: np.ndarray, features: np.ndarray) -> np.ndarray:
        """(N,) float64 chosen score, higher = more likely not a digit."""
        return self.scores(logits, features)[self.score_name]

    def accepts(self, score: float) -> bool:
        """The verdict: True ("digit") when the score is at or under the threshold."""
        return bool(score <= self.threshold)

    def to_card(self) -> dict[str, Any]:
        """The card's ``"ood"`` fields for this detector (without the fitting report)."""
        return {
            "score": self.score_name,
            "threshold": float(self.threshold),
            "mahalanobis": None if self.mahalanobis is None else ood.mahalanobis_to_json(self.mahalanobis),
            "standardizer": self.standardizer,
        }
