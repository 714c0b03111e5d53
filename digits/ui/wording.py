"""What the pages say: captions of the reading's steps, and the verdict in words."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from digits.network.card import ensemble_members, training_totals
from digits.network.detector import SCORE_NAMES, Detector

if TYPE_CHECKING:
    from digits.network.recognize import Result

#: Captions of the reading's steps (see :data:`digits.reading.prepare.STEPS`), in order.
STEP_CAPTIONS = {
    "input": "Input",
    "grayscale": "Grayscale, polarity fixed (light ink on dark)",
    "crop": "Cropped to the ink",
    "box20": "Scaled to fit 20x20",
    "centred": "Centred by mass in 28x28",
}

#: The command that refits a card's temperature and detector (said where a card lacks them).
CALIBRATION_COMMAND = "python -m digits.training.calibration --data-dir DIR"
#: The command that measures the score distributions of ``model/ood_scores.json``.
EVALUATION_COMMAND = "python -m digits.evaluation.evaluate_ood --data-dir DIR"


#: What the headline shows where the detector rejects the reading: no digit.
NO_DIGIT = "—"
#: What a number shows in place of a part the detector rejects.
REJECTED_PART = "?"


def shown_part(label: int, is_digit: bool | None) -> str:
    """One part of a number as a page shows it: its digit, or :data:`REJECTED_PART` when the detector
    calls it not a digit (the number's headline, the boxes drawn on a picture, the upload CSV)."""
    return REJECTED_PART if is_digit is False else str(label)


def shown_label(reading) -> str:
    """The Prediction a page shows for one reading (:class:`digits.network.classifier.Reading`): its
    digit, or :data:`NO_DIGIT` when the detector calls it not a digit (the softmax must put its
    probability on some digit even for a cat; that digit is no prediction)."""
    return NO_DIGIT if reading.is_digit is False else str(reading.label)


def _none_a_digit(verdicts: list[bool | None]) -> bool:
    """Whether there are parts and the detector calls every one of them not a digit (False; None,
    a card without a detector, is no such verdict)."""
    return bool(verdicts) and all(v is False for v in verdicts)


def shown_number(readings) -> str:
    """The Prediction a page shows for several digits read left to right (each a
    :class:`digits.network.classifier.Reading`, or a dict with "label" and "is_digit" as
    ``predict.py --json`` gives them): each digit, with :data:`REJECTED_PART` for a part the
    detector calls not a digit, or :data:`NO_DIGIT` when it calls every part so."""
    parts = [(r["label"], r["is_digit"]) if isinstance(r, dict) else (r.label, r.is_digit) for r in readings]
    if _none_a_digit([is_digit for _, is_digit in parts]):
        return NO_DIGIT
    return "".join(shown_part(label, is_digit) for label, is_digit in parts)


def result_fields(result: Result, temperature: float = 1.0) -> dict[str, Any]:
    """A reading's fields as ``predict.py --json`` and the app's upload CSV give them.

    Args:
        result: the reading of one picture (:func:`digits.network.recognize.recognize`).
        temperature: the temperature its probabilities were calibrated at (the classifier's
            ``temperature``), recorded in the ``temperature`` field.

    Returns:
        :meth:`digits.network.recognize.Result.to_json`'s fields in its order, with ``number``
        before ``digits``, as a page shows it (:func:`shown_number`: "?" for a rejected part, "—"
        when every part is; "" for a blank picture), and ``texture`` last where there is one.
    """
    fields = result.to_json(temperature)
    digits, texture = fields.pop("digits"), fields.pop("texture", None)
    return fields | {"number": shown_number(digits), "digits": digits} | ({"texture": texture} if texture else {})


def rejection_caption(whole_sets: bool) -> str:
    """The caption under the Not a digit page's table of how often each set is called not a digit:
    what the shares are of, the whole sets (``whole_sets``) or the chart's samples
    (:func:`digits.ui.score_samples.rejection_table`)."""
    counted = (
        "Counted over every picture of each set that the preprocessing did not find blank"
        if whole_sets
        else "On the same samples as the chart: a random sample of at most 1,000 pictures a set, so each share "
        "is known to within about a point"
    )
    return (
        "How often the verdict at the threshold is *not a digit*, set by set: for the MNIST digits, the share "
        "wrongly rejected; for every other set, the share caught (the rest are wrongly read as digits). "
        f"{counted} (the threshold itself was set on the validation digits, to reject at most 0.5% of them)."
    )


def parts_note(readings) -> str:
    """The line under a number's Prediction (each reading a :class:`digits.network.classifier.Reading`
    of one part, left to right): how many parts were found and read, what :data:`REJECTED_PART`
    marks, or, when the detector calls every part not a digit (a photo cut into parts), that none is
    one."""
    n = len(readings)
    if _none_a_digit([r.is_digit for r in readings]):
        return f"{n} parts found, and the detector calls none of them a digit: this is probably not digits."
    note = f"{n} parts found; each is normalised and read on its own."
    if any(r.is_digit is False for r in readings):
        note += f" {REJECTED_PART} marks a part the detector calls not a digit."
    return note


def boxes_caption(readings) -> str:
    """The caption of the picture with each part's box drawn on it: the digits, or, when the detector
    calls every part not a digit, the parts."""
    if not _none_a_digit([r.is_digit for r in readings]):
        return "Where the digits were found"
    return "What was read (not a digit)" if len(readings) == 1 else "Where the parts were found (none a digit)"


def part_line(reading) -> str:
    """The line under one part of a number: "**4** · 99.9% · digit", or, for a part the detector
    rejects, "**—** · not a digit (top class 0, 10.1%)", so that no rejected digit reads as an answer."""
    if reading.is_digit is False:
        return f"**{NO_DIGIT}** · not a digit (top class {reading.label}, {reading.confidence:.1%})"
    return f"**{reading.label}** · {reading.confidence:.1%} · {verdict(reading.is_digit)}"


def top_class_note(reading) -> str:
    """One line under a rejected reading: which digit the softmax put most probability on, and how much
    (calibrated), so that the chart beside it is understood."""
    return (
        f"Not a digit: the softmax still puts the most probability on {reading.label} "
        f"({reading.confidence:.1%}), as it must on some digit."
    )


def features_off_note(feature_dim: int, outlier_exposure: bool, networks: int = 1) -> str:
    """One line under a reading whose network features are all zero
    (:attr:`digits.network.classifier.Reading.features_off`); ``outlier_exposure``: whether the
    network was trained with it (then that is why); ``networks``: how many networks a deep ensemble
    averages (their features side by side), 1 for one network."""
    why = (
        " Trained to answer non-digits with a uniform softmax (outlier exposure), it learned to switch its "
        "features off."
        if outlier_exposure
        else ""
    )
    whose, bias = (
        ("the network's", "its last layer's bias")
        if networks == 1
        else (f"its {networks} networks'", f"the mean of its {networks} networks' last-layer biases")
    )
    return (
        f"All {feature_dim} of {whose} features are zero for this picture: its answer is {bias} "
        f"alone, the same for every such picture.{why}"
    )


def verdict(is_digit: bool | None) -> str:
    """ "digit", "not a digit", or "unchecked" (a model card without a detector)."""
    return "unchecked" if is_digit is None else ("digit" if is_digit else "not a digit")


def explain(score: float | None, detector: Detector | None) -> str:
    """One line for users: the score, the threshold and what they mean."""
    if detector is None or score is None:
        return f"This model card has no 'not a digit' detector; run {CALIBRATION_COMMAND}."
    return (
        f"{SCORE_NAMES[detector.score_name]} score {_against_threshold(score, detector)} "
        "(higher means less like an MNIST digit; the threshold rejects at most 0.5% of validation digits)"
    )


def score_line(score: float, detector: Detector) -> str:
    """The short form, for narrow places: "Score 2.09e-06 ≤ threshold 0.518" (what the score is, in
    :func:`explain`, goes in its help)."""
    return f"Score {_against_threshold(score, detector)}"


def _against_threshold(score: float, detector: Detector) -> str:
    """ "2.09e-06 ≤ threshold 0.518": the score beside the detector's threshold."""
    side = "≤" if detector.accepts(score) else ">"
    return f"{score:.3g} {side} threshold {detector.threshold:.3g}"


#: The kinds of digits a card may count beside MNIST's (its ``KIND_digits``), and how a caption names them.
EXTRA_DIGITS = {"printed": "printed", "bold": "bold", "broken": "broken-stroke"}


def _extra_counts(card: dict) -> dict[str, int]:
    """How many digits of each kind of :data:`EXTRA_DIGITS` the card's training added (0: none)."""
    return {kind: (card.get(f"{kind}_digits") or {}).get("count", 0) for kind in EXTRA_DIGITS}


def oe_curves(card: dict) -> str:
    """Why a network trained with outlier exposure has training curves far from its validation curves,
    with the floor of its training loss from its card: the non-digits' uniform targets cost at least
    ln 10 each, times their sample weight, and Keras averages the weighted losses over the pictures
    (digits and non-digits). For the app's network, 12,000 non-digits at weight 1.48 beside 71,000
    digits (MNIST, printed and bold): 12,000 x 1.48 x 2.30 / 83,000 = 0.49. "" for a card without
    outlier exposure."""
    oe = (card.get("config") or {}).get("outlier_exposure")
    if not oe:
        return ""
    digits = (card.get("data") or {}).get("train", 55000) + sum(_extra_counts(card).values())
    share = oe["pool"] / (oe["pool"] + digits)
    floor = oe["outlier_sample_weight"] * oe["pool"] * math.log(10) / (oe["pool"] + digits)
    return (
        "The training curves include the generated non-digits of outlier exposure, whose target is the same "
        f"probability for every digit: each costs at least ln 10 ≈ 2.30, times its weight "
        f"({oe['outlier_sample_weight']:.2f}); they are {share:.0%} of the training pictures, so the training "
        f"loss (the mean over the pictures) cannot fall below {floor:.2f}; "
        "and accuracy counts one as right only where the top class is 0 (the first of ten equal targets). So "
        "training loss sits far above validation loss, and training accuracy below validation accuracy, which "
        "is measured on digits alone."
    )


def ensemble_note(card: dict) -> str:
    """One sentence for an ensemble's card (:mod:`digits.training.ensemble`): how many networks the
    app averages, what each scores alone, and that the curves and feature maps shown are the first
    one's. "" for a single network."""
    members = ensemble_members(card)
    if not members:
        return ""
    alone = ", ".join(f"{m['val_accuracy']:.2%}" for m in members if m.get("val_accuracy") is not None)
    return (
        f"The app's network is {len(members)} networks of the same architecture, trained alike from different "
        "seeds, whose logits are averaged (a deep ensemble, Lakshminarayanan et al. 2017): "
        f"{card['val_accuracy']:.2%} validation accuracy together, {alone} alone. The training curves and the "
        "feature maps shown are the first network's."
    )


def history_caption(card: dict) -> str:
    """The caption of a network's training curves, from its card: what each epoch was trained on
    (MNIST's training digits, and printed, bold and broken-stroke ones where the card has them), for a fine-tuned
    network that the curves are of the fine-tuning run, and for one whose weights were then
    interpolated with its start (``train.py --wise``) that the network is not the curves' last point."""
    items = [f"{count:,} {EXTRA_DIGITS[kind]}" for kind, count in _extra_counts(card).items() if count]
    extra = " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 2 else items)
    data = card.get("data") or {}
    train = f"{data.get('train', 55000):,} training digits" + (f", {extra} ones," if extra else "")
    members = ensemble_members(card)
    first = members[0] if members else card  # the network whose curves these are
    tuned = "fine-tuning " if training_totals(first)[2] else ""
    validation = f"{data.get('validation', 5000):,} validation digits"
    text = f"Loss and accuracy per {tuned}epoch on the {train} and the {validation}."
    if members:
        text = f"The first of the {len(members)} networks averaged: " + text[0].lower() + text[1:]
    mixed = (card.get("config") or {}).get("weight_interpolation")
    if mixed and mixed["alpha"] < 1:
        alpha = mixed["alpha"]
        text += (
            f" The network is {1 - alpha:g} × the fine-tuning's starting weights + {alpha:g} × its last ones "
            f"(weight-space ensembling, WiSE-FT), so its validation accuracy, {first['val_accuracy']:.2%}, is not "
            "the curves' last point."
        )
    curves = oe_curves(card)
    return f"{text} {curves}" if curves else text
