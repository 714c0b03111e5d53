"""The pages' reading helpers: a reading waits for a free slot, then says "busy" instead of hanging."""

from __future__ import annotations

import numpy as np
from PIL import Image

from digits.ui import widgets

from helpers import on_paper, png_bytes


def test_a_reading_waits_for_a_slot_then_says_busy(classifier, mnist_test, monkeypatch):
    import streamlit as st

    x, y = mnist_test
    page = on_paper(x[0], height=120)
    data = png_bytes(Image.fromarray(page))
    st.cache_data.clear()
    monkeypatch.setattr(widgets, "BUSY_WAIT_S", 0.2)
    held = 0
    try:
        while widgets._slots.acquire(blocking=False):  # every slot taken by other readings
            held += 1
        assert held == widgets.READING_SLOTS
        assert widgets.read_file(data, classifier) == (None, widgets.BUSY)
        assert widgets.read_drawing(np.stack([page] * 3, axis=-1), classifier) is None
    finally:
        for _ in range(held):
            widgets._slots.release()
    # A slot free again: the same file is read (the busy answer was not cached).
    result, error = widgets.read_file(data, classifier)
    assert error is None and result.number == str(y[0])
    assert widgets.read_drawing(np.stack([page] * 3, axis=-1), classifier).number == str(y[0])
    st.cache_data.clear()


def test_the_training_curves_say_what_each_network_was_trained_on():
    """The app's network was fine-tuned with printed and bold digits, then interpolated with its start;
    a classic network was trained on MNIST alone: the captions of their curves say so, with the counts
    and the interpolation weight from their cards."""
    from digits.network.card import read_card
    from digits.ui.wording import history_caption, oe_curves

    from conftest import ROOT

    ensemble = read_card(ROOT / "model" / "mnist_cnn.keras")
    first = ensemble["ensemble"]["members"][0]
    alpha = ensemble["config"]["weight_interpolation"]["alpha"]
    # The app's network is two networks averaged: the curves are the first one's, and so is the
    # validation accuracy that the interpolation makes differ from the curves' last point.
    assert history_caption(ensemble) == (
        f"The first of the 2 networks averaged: loss and accuracy per fine-tuning epoch on the 55,000 training "
        f"digits, {ensemble['printed_digits']['count']:,} printed and {ensemble['bold_digits']['count']:,} bold "
        f"ones, and the 5,000 validation digits. The network is {1 - alpha:g} × the fine-tuning's starting "
        f"weights + {alpha:g} × its last ones (weight-space ensembling, WiSE-FT), so its validation accuracy, "
        f"{first['val_accuracy']:.2%}, is not the curves' last point. {oe_curves(ensemble)}"
    )
    app = {k: v for k, v in ensemble.items() if k != "ensemble"} | {"val_accuracy": first["val_accuracy"]}
    assert history_caption(app) == (
        f"Loss and accuracy per fine-tuning epoch on the 55,000 training digits, "
        f"{app['printed_digits']['count']:,} printed and {app['bold_digits']['count']:,} bold ones, and the "
        f"5,000 validation digits. The network is {1 - alpha:g} × the fine-tuning's starting weights + "
        f"{alpha:g} × its last ones (weight-space ensembling, WiSE-FT), so its validation accuracy, "
        f"{app['val_accuracy']:.2%}, is not the curves' last point. {oe_curves(app)}"
    )
    lenet = read_card(ROOT / "model" / "lenet.keras")
    assert history_caption(lenet) == (
        "Loss and accuracy per epoch on the 55,000 training digits and the 5,000 validation digits."
    )
    # Three kinds are listed as a list is written.
    three = app | {"broken_digits": {"count": 500}}
    printed, bold = app["printed_digits"]["count"], app["bold_digits"]["count"]
    assert f", {printed:,} printed, {bold:,} bold and 500 broken-stroke ones, and the 5,000" in history_caption(three)
    # A network fine-tuned with printed digits alone, and not interpolated, says only that.
    printed = app | {"bold_digits": None, "config": app["config"] | {"weight_interpolation": None}}
    assert history_caption(printed) == (
        f"Loss and accuracy per fine-tuning epoch on the 55,000 training digits, "
        f"{app['printed_digits']['count']:,} printed ones, and the 5,000 validation digits. {oe_curves(printed)}"
    )


def test_the_loss_floor_is_the_weighted_outlier_loss_over_all_the_pictures():
    """Keras averages the weighted losses over the pictures: 12,000 outliers at weight 1.5 beside 55,000
    MNIST and 8,000 printed digits put 1.5 x 12,000 x ln 10 / 75,000 = 0.553 under the loss (a share of
    the weights, 18,000 / 73,000 x ln 10, would say 0.568)."""
    from digits.ui.wording import history_caption, oe_curves

    card = {
        "config": {"outlier_exposure": {"pool": 12000, "outlier_sample_weight": 1.5}},
        "data": {"train": 55000},
        "printed_digits": {"count": 8000},
    }
    assert "(1.50); they are 16% of the training pictures" in oe_curves(card)
    assert "cannot fall below 0.55;" in oe_curves(card)
    # An interpolation weight of 1 is the fine-tuned network itself: the curves' last point.
    done = card | {"config": card["config"] | {"weight_interpolation": {"alpha": 1.0}}, "training_seconds": 9.0}
    done |= {"val_accuracy": 0.99, "epochs": 3}
    assert "WiSE-FT" not in history_caption(done)


def test_the_training_curves_of_outlier_exposure_are_explained():
    """The app's network was trained with outlier exposure: its training loss sits far above its
    validation loss, and its caption says why, with the floor that the non-digits' uniform targets
    put under it; the committed training curves do reach down near that floor (the rest is the digits'
    own loss, bold ones included), not below. A network trained on digits alone says nothing of it."""
    import re

    from digits.network.card import read_card
    from digits.ui.wording import history_caption, oe_curves

    from conftest import ROOT

    app = read_card(ROOT / "model" / "mnist_cnn.keras")
    assert min(app["history"]["loss"]) > 10 * max(app["history"]["val_loss"])  # what the caption explains
    floor = float(re.search(r"cannot fall below (\d\.\d\d)", oe_curves(app)).group(1))
    assert floor <= min(app["history"]["loss"]) < 1.2 * floor
    assert oe_curves(app) in history_caption(app)
    lenet = read_card(ROOT / "model" / "lenet.keras")
    assert oe_curves(lenet) == "" and "outlier exposure" not in history_caption(lenet)


def test_a_rejected_reading_shows_no_digit(classifier, mnist_test):
    """The headline never shows a digit the detector rejects: a real digit shows its label, a grey
    blob (the softmax must still pick some digit) shows "—" with its top class in the note beneath,
    and a number marks a rejected part "?" (all parts rejected: "—")."""
    from digits.ui.wording import (
        NO_DIGIT,
        boxes_caption,
        part_line,
        parts_note,
        shown_label,
        shown_number,
        top_class_note,
    )

    x, y = mnist_test
    digit = classifier.read(x[0].astype(np.float32)[..., None] / 255)
    yy, xx = np.mgrid[:28, :28]
    blob = classifier.read((((yy - 14) ** 2 + (xx - 14) ** 2 < 100) * 0.6).astype(np.float32)[..., None])
    assert digit.is_digit and blob.is_digit is False
    assert shown_label(digit) == str(y[0]) and shown_label(blob) == NO_DIGIT
    assert shown_number([digit, blob, digit]) == f"{y[0]}?{y[0]}"
    assert shown_number([blob, blob]) == NO_DIGIT
    assert f"on {blob.label} ({blob.confidence:.1%})" in top_class_note(blob)
    # Under each part of a number: the digit, or "—" with the top class in words, never a bold digit.
    assert part_line(digit).startswith(f"**{y[0]}** · ")
    assert part_line(blob) == f"**—** · not a digit (top class {blob.label}, {blob.confidence:.1%})"
    # Dicts, as predict.py --json and the upload CSV have them, read the same.
    parts = [{"label": r.label, "is_digit": r.is_digit} for r in (digit, blob)]
    assert shown_number(parts) == f"{y[0]}?"
    # The line under the number, and the caption of the boxes: no "digits" where none is one.
    assert parts_note([digit, digit]) == "2 parts found; each is normalised and read on its own."
    assert parts_note([digit, blob]).endswith("? marks a part the detector calls not a digit.")
    assert "none of them a digit" in parts_note([blob, blob, blob]) and "3 parts" in parts_note([blob] * 3)
    assert boxes_caption([digit, blob]) == "Where the digits were found"
    assert boxes_caption([blob, blob]) == "Where the parts were found (none a digit)"
    assert boxes_caption([blob]) == "What was read (not a digit)" and boxes_caption([digit]).endswith("found")


def test_the_features_off_note_names_what_answers():
    """With every feature 0, one network answers its last layer's bias; a deep ensemble the mean of
    its networks' biases: the note says which, and why (outlier exposure) where the card says so."""
    from digits.ui.wording import features_off_note

    one = features_off_note(128, outlier_exposure=False)
    assert "128 of the network's features" in one and "its last layer's bias alone" in one
    assert "outlier exposure" not in one
    two = features_off_note(256, outlier_exposure=True, networks=2)
    assert two.startswith("All 256 of its 2 networks' features are zero")
    assert "the mean of its 2 networks' last-layer biases alone" in two and "(outlier exposure)" in two
