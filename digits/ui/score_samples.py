"""The score samples behind the non-digit page's chart (``model/ood_scores.json``).

``python -m digits.evaluation.evaluate_ood`` writes them, with the SHA-256 of the model they were
measured on; the page plots them only for that model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from digits.network.card import SCORES_FILE
from digits.network.classifier import model_dir
from digits.network.detector import Detector


def scores_path() -> Path:
    """``ood_scores.json`` in the folder of trained models (:func:`digits.network.classifier.model_dir`)."""
    return model_dir() / SCORES_FILE


def load_score_samples(model_sha256: str, path: str | os.PathLike | None = None) -> tuple[dict[str, Any] | None, str]:
    """The score samples measured on the model whose file has SHA-256 ``model_sha256``.

    Args:
        model_sha256: the model card's ``sha256`` (64 hex characters).
        path: the samples file; default :func:`scores_path`.

    Returns:
        ``(samples, problem)``: ``samples`` is ``{"score": name, "threshold": float, "note": str,
        "model_sha256": str, "sets": {set name: [scores]}}``, with ``"counts": {set name: [called not
        a digit, pictures]}`` from a file that has them (see :func:`rejection_table`), and
        ``problem`` is "" when the file is there, readable and measured on this model; otherwise
        ``samples`` is None and ``problem`` says, in one sentence, what is wrong ("missing",
        "unreadable", "measured on another model").
    """
    path = Path(path) if path else scores_path()
    try:
        samples = json.loads(path.read_text())
    except FileNotFoundError:
        return None, f"{path.name} is missing"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None, f"{path.name} cannot be read"
    if not isinstance(samples, dict) or not isinstance(samples.get("sets"), dict) or not samples["sets"]:
        return None, f"{path.name} holds no score samples"
    measured_on = samples.get("model_sha256")
    if measured_on != model_sha256:
        return None, (
            f"{path.name} was measured on another model (SHA-256 {str(measured_on)[:12]}…, the app's is "
            f"{model_sha256[:12]}…)"
        )
    return samples, ""


def rejection_table(samples: dict[str, Any], detector: Detector) -> tuple[list[dict[str, Any]], bool]:
    """How often the detector says "not a digit" in each set of ``model/ood_scores.json``.

    The evaluation counts every non-blank picture of each set at the threshold (``counts``: set
    name -> ``[called not a digit, pictures]``); those counts are used when they were made at this
    detector's score and threshold. Otherwise (an older file, or a detector refitted since) each
    score sample is judged by the detector's own verdict
    (:meth:`digits.network.detector.Detector.accepts`): a sample of at most 1,000 a set.

    Args:
        samples: the file's contents, as :func:`load_score_samples` gives them.
        detector: the app's detector.

    Returns:
        ``(rows, whole_sets)``: one row per set of ``samples["sets"]``, in its order, ``{"set": name,
        "pictures": n, "called not a digit": percent in [0, 100]}`` (an empty set gives 0 pictures and
        0%); ``whole_sets`` is True when the rows count the whole sets, False when the samples (also
        when a set's count is not two whole numbers, rejected <= pictures).

    Raises:
        KeyError: ``samples`` without "sets" (:func:`load_score_samples` never gives one).
    """
    counts = samples.get("counts")
    whole_sets = (
        isinstance(counts, dict)
        and samples.get("score") == detector.score_name
        and samples.get("threshold") == detector.threshold
        and all(_count_pair(counts.get(name)) for name in samples["sets"])
    )
    rows = []
    for name, scores in samples["sets"].items():
        if whole_sets:
            rejected, n = counts[name]
        else:
            rejected, n = sum(not detector.accepts(s) for s in scores), len(scores)
        rows.append({"set": name, "pictures": n, "called not a digit": 100.0 * rejected / n if n else 0.0})
    return rows, whole_sets


def _count_pair(value: Any) -> bool:
    """Whether ``value`` is ``[called not a digit, pictures]``: two ints, 0 <= the first <= the second."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1]
    )
