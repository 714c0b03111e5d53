"""The "not a digit" detector: an out-of-distribution (OOD) score and its threshold, from the card.

The score is one of those of :mod:`digits.ood`, computed from the classifier's logits and its
``features`` layer, chosen by AUROC on held-out tuning outliers; the threshold rejects at most
0.5% of the MNIST validation digits. Both are fitted by :mod:`digits.calibration` and stored in
the model card's ``"ood"`` section, so the app and the CLI use the same numbers.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digits import ood
from digits.card import MODEL_DIR

#: Score samples per evaluation set, for the non-digit page's chart (written by digits.evaluate_ood).
SCORES_FILE = MODEL_DIR / "ood_scores.json"

#: The scores that can be chosen. "combined" is the sum of the energy and Mahalanobis scores,
#: each z-scored on the validation digits (:func:`digits.ood.combine_scores`).
SCORES = ("msp", "energy", "mahalanobis", "combined")
COMBINED_PARTS = ("energy", "mahalanobis")


def all_scores(logits: np.ndarray, features: np.ndarray, mahalanobis: ood.MahalanobisParams) -> dict[str, np.ndarray]:
    """The single scores, each (N,) float64 with higher = more likely not a digit.

    Args:
        logits: (N, 10) raw logits.
        features: (N, D) ``features``-layer activations.
        mahalanobis: class means and tied precision fitted on training features.

    Returns:
        ``{"msp": ..., "energy": ..., "mahalanobis": ...}``, MSP and energy at temperature 1.
    """
    return {
        "msp": ood.msp_score(logits),
        "energy": ood.energy_score(logits),
        "mahalanobis": ood.mahalanobis_score(features, mahalanobis),
    }


@dataclass
class Detector:
    """A fitted detector.

    Attributes:
        score_name: one of :data:`SCORES`.
        threshold: scores above it are "not a digit".
        mahalanobis: parameters of the Mahalanobis score.
        standardizer: ``{"mean", "std"}`` of :data:`COMBINED_PARTS` on validation digits
            (used by "combined").
    """

    score_name: str
    threshold: float
    mahalanobis: ood.MahalanobisParams
    standardizer: dict[str, list[float]] | None = None

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> Detector | None:
        """The detector in a card's ``"ood"`` section, or None when the card has none.

        Raises:
            ValueError: the section is malformed.
        """
        section = card.get("ood")
        if not section:
            return None
        name = section["score"]
        if name not in SCORES:
            raise ValueError(f"unknown OOD score {name!r} in the model card")
        return cls(
            score_name=name,
            threshold=float(section["threshold"]),
            mahalanobis=ood.mahalanobis_from_json(section["mahalanobis"]),
            standardizer=section.get("standardizer"),
        )

    def scores(self, logits: np.ndarray, features: np.ndarray) -> dict[str, np.ndarray]:
        """Every score of :data:`SCORES` for a batch (see :func:`all_scores`)."""
        out = all_scores(logits, features, self.mahalanobis)
        if self.standardizer is not None:
            out["combined"] = ood.combine_scores(np.stack([out[k] for k in COMBINED_PARTS], axis=1), self.standardizer)
        return out

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
            "mahalanobis": ood.mahalanobis_to_json(self.mahalanobis),
            "standardizer": self.standardizer,
        }


#: Display names of the scores.
SCORE_NAMES = {
    "msp": "maximum softmax probability",
    "energy": "energy",
    "mahalanobis": "Mahalanobis distance",
    "combined": "energy + Mahalanobis (z-scored)",
}


def verdict(is_digit: bool | None) -> str:
    """ "digit", "not a digit", or "unchecked" (a model card without a detector)."""
    return "unchecked" if is_digit is None else ("digit" if is_digit else "not a digit")


def explain(score: float | None, detector: Detector | None) -> str:
    """One line for users: the score, the threshold and what they mean."""
    if detector is None or score is None:
        return "This model card has no 'not a digit' detector; run python -m digits.calibration."
    side = "≤" if detector.accepts(score) else ">"
    return (
        f"{SCORE_NAMES[detector.score_name]} score {score:.3g} {side} threshold {detector.threshold:.3g} "
        "(higher means less like an MNIST digit; the threshold rejects at most 0.5% of validation digits)"
    )


def load_score_samples(path: str | os.PathLike | None = None) -> dict[str, Any] | None:
    """The score samples written by :mod:`digits.evaluate_ood` (``model/ood_scores.json``).

    Returns:
        ``{"score": name, "threshold": float, "note": str, "sets": {set name: [scores]}}``, or
        None when the file is missing or unreadable.
    """
    path = Path(path) if path else SCORES_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
