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
    """The app's network was fine-tuned with printed digits, a classic network trained on MNIST alone:
    the captions of their curves say so, with the counts from their cards."""
    from digits.network.card import read_card
    from digits.ui.wording import history_caption

    from conftest import ROOT

    app = read_card(ROOT / "model" / "mnist_cnn.keras")
    assert history_caption(app) == (
        f"Loss and accuracy per fine-tuning epoch on the 55,000 training digits, "
        f"{app['printed_digits']['count']:,} printed ones, and the 5,000 validation digits."
    )
    lenet = read_card(ROOT / "model" / "lenet.keras")
    assert history_caption(lenet) == (
        "Loss and accuracy per epoch on the 55,000 training digits and the 5,000 validation digits."
    )
    # A network fine-tuned with bold digits as well (train.py --bold) says so.
    bold = app | {"bold_digits": {"count": 4000}}
    assert history_caption(bold) == (
        f"Loss and accuracy per fine-tuning epoch on the 55,000 training digits, "
        f"{app['printed_digits']['count']:,} printed and 4,000 bold ones, and the 5,000 validation digits."
    )
