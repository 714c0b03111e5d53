"""Streamlit building blocks shared by the pages (layout only; the logic is elsewhere in the package)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from digits.network.card import ModelCardError, ensemble_members, training_totals
from digits.network.classifier import Classifier, baseline_model, default_model, shipped_models
from digits.network.explain import feature_grid, most_active, occlusion_map
from digits.network.recognize import DigitResult, Result, recognize, recognize_file
from digits.network.zoo import title
from digits.ui.charts import boxes_picture, display_size, enlarge, heatmap_chart, network_panel, probability_spec
from digits.ui.wording import (
    STEP_CAPTIONS,
    boxes_caption,
    ensemble_note,
    explain,
    part_line,
    parts_note,
    score_line,
    shown_label,
    shown_number,
    shown_part,
    top_class_note,
    verdict,
)


@st.cache_resource(show_spinner="Loading the model…")
def load_classifier() -> Classifier:
    """The model, loaded once per process and shared by every session."""
    return Classifier()


@st.cache_resource(show_spinner="Loading the plain network…")
def load_baseline() -> tuple[Classifier | None, str]:
    """The plain network (digits only, no outlier exposure), loaded once per process.

    Returns:
        ``(classifier, "")``, or ``(None, reason)`` with a one-line reason when
        ``model/baseline_cnn.keras`` or its card is missing, damaged or does not match.
    """
    try:
        return Classifier(baseline_model()), ""
    except ModelCardError as e:
        return None, str(e)


@st.cache_resource(show_spinner="Loading every network…")
def load_networks() -> tuple[dict[str, Classifier], dict[str, str]]:
    """Every shipped network (:func:`digits.network.classifier.shipped_models`), loaded once per
    process, by display name.

    Returns:
        ``(networks, problems)``: display name -> classifier for those that load, and display name
        -> one-line reason for those that do not.
    """
    networks, problems = {}, {}
    for path in shipped_models():
        try:
            networks[title(path.stem)] = _loaded_or_new(path)
        except ModelCardError as e:
            problems[title(path.stem)] = str(e)
    return networks, problems


def _loaded_or_new(path) -> Classifier:
    """The process's already loaded app network or baseline when ``path`` is one of them (one ONNX
    session each, not two), else the network at ``path`` loaded now.

    Raises:
        ModelCardError: it cannot be loaded.
    """
    if path == default_model():
        return load_classifier()
    if path == baseline_model():
        baseline, problem = load_baseline()
        if baseline is None:
            raise ModelCardError(problem)
        return baseline
    return Classifier(path)


#: Uploaded pictures whose readings are kept (per server process, shared by the sessions, keyed by
#: the file's bytes): a rerun of the page re-reads none of them. Each entry holds the reading and
#: its pictures at display size (at most about 3 MB, for a 12-megapixel photo), so the cache stays
#: under about 100 MB.
UPLOAD_CACHE_ENTRIES = 32
#: Files read per upload, and digits shown one by one per picture; the rest are counted ("N more").
MAX_FILES = 20
MAX_DIGITS_SHOWN = 12
#: What a page says where there is nothing to read: an empty canvas (before the first stroke, and
#: after Clear), and a picture without ink.
EMPTY_CANVAS = "Nothing to read yet: draw a digit on the canvas."
BLANK_PICTURE = "Nothing to read: no ink found in the picture (blank, or one even shade)."
#: The "Every network" small multiples: panels per row (one per row on a phone), and each one's
#: height in px (title and axes included).
NETWORK_PANELS_PER_ROW = 4
NETWORK_PANEL_HEIGHT = 150


#: Readings at once in this server process (one per core): under overload the others wait for a
#: turn, at most :data:`BUSY_WAIT_S` seconds, then the page says "busy" instead of hanging.
READING_SLOTS = max(1, os.cpu_count() or 1)
BUSY_WAIT_S = 10.0
BUSY = "the server is busy reading other people's digits: try again in a moment"
_slots = threading.BoundedSemaphore(READING_SLOTS)


class BusyError(RuntimeError):
    """No reading slot came free in time (see :func:`reading_slot`)."""


@contextmanager
def reading_slot(wait_s: float | None = None) -> Iterator[None]:
    """Hold one of the process's :data:`READING_SLOTS` while reading a picture.

    Raises:
        BusyError: none came free within ``wait_s`` seconds (default :data:`BUSY_WAIT_S`).
    """
    if not _slots.acquire(timeout=BUSY_WAIT_S if wait_s is None else wait_s):
        raise BusyError(BUSY)
    try:
        yield
    finally:
        _slots.release()


@st.cache_data(max_entries=UPLOAD_CACHE_ENTRIES, show_spinner="Reading the picture…")
def read_upload(data: bytes, model_sha256: str, _classifier: Classifier) -> tuple[Result | None, str | None]:
    """:func:`digits.network.recognize.recognize_file` of an uploaded or photographed file, in a
    reading slot, cached by its bytes and the model's SHA-256 (kept in memory only, never written
    to disk).

    Returns:
        ``(result, None)``, or ``(None, reason)`` with a one-line reason when the file cannot be read.

    Raises:
        BusyError: no reading slot came free in time (not cached: the next rerun tries again).
    """
    with reading_slot():
        return recognize_file(data, _classifier)


def read_file(data: bytes, classifier: Classifier) -> tuple[Result | None, str | None]:
    """:func:`read_upload`, with "busy" as the one-line reason when no reading slot came free."""
    try:
        return read_upload(data, classifier.card["sha256"], classifier)
    except BusyError:
        return None, BUSY


def read_drawing(image, classifier: Classifier) -> Result | None:
    """A canvas drawing's reading (``source="canvas"``) in a reading slot; None when none came free."""
    try:
        with reading_slot():
            return recognize(image, classifier, source="canvas")
    except BusyError:
        return None


def first_files(files: list | None) -> list:
    """The first :data:`MAX_FILES` uploaded files, with a warning that counts the rest."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        st.warning(f"{len(files)} files: the first {MAX_FILES} are read, {len(files) - MAX_FILES} more are not.")
    return files[:MAX_FILES]


def classifier_or_stop() -> Classifier:
    """The cached classifier; if it cannot be loaded, say what to do and stop the page."""
    try:
        return load_classifier()
    except ModelCardError as e:
        st.error(f"**The model cannot be loaded.** {e}")
        st.info(
            "To get a model: restore `model/` from the repository (`git checkout model/`), or train one "
            "with `python train.py --data-dir ../shared/data/mnist` (see the README)."
        )
        st.stop()


def model_sidebar(classifier: Classifier) -> None:
    """The model card's figures in the sidebar."""
    card = classifier.card
    with st.sidebar:
        st.subheader("The model")
        st.metric("Test accuracy (MNIST, 10,000 digits)", f"{card['test_accuracy']:.2%}")
        seconds, epochs, fine_tuning = training_totals(card)
        tuned = f" ({fine_tuning} of them fine-tuning)" if fine_tuning else ""
        st.caption(
            f"{card['parameters']:,} parameters · {epochs} epochs{tuned} · trained in "
            f"{seconds / 60:.0f} min on {card.get('training_machine', 'CPU')} · "
            f"validation accuracy {card['val_accuracy']:.2%}"
        )
        if note := ensemble_note(card):
            st.caption(note)
        oe = classifier.outlier_exposure
        if oe:
            st.caption(
                f"Trained with outlier exposure: {oe['pool']:,} generated non-digits with uniform targets, "
                f"together weighing {oe['weight']:g} of the digits in the loss"
                + (
                    f" (each one {oe['outlier_sample_weight']:.2f} times a digit)."
                    if "outlier_sample_weight" in oe
                    else "."
                )
            )


def show_verdict(reading, detector, label: str = "Verdict") -> None:
    """The detector's verdict as a metric, with the score and threshold."""
    text = verdict(reading.is_digit)
    st.metric(label, text, help=explain(reading.ood_score, detector))
    if reading.ood_score is not None:
        st.caption(score_line(reading.ood_score, detector))


def show_digit(result: DigitResult, key: str, classifier: Classifier) -> None:
    """The Prediction metric with the verdict beside it, the calibrated confidence, then the 28x28
    input (enlarged, visible pixels) and the chart."""
    reading = result.reading
    # The answer first: on a phone, where columns stack, it comes straight under the canvas (below
    # the 28x28 and the chart, it was some 550 px further down). Across the whole width, so that a
    # verdict such as "not a digit" is never cut short.
    pred, verdict_col = st.columns(2)
    pred.metric("Prediction", shown_label(reading))
    with verdict_col:
        show_verdict(reading, classifier.detector)
    if reading.is_digit is False:
        st.caption(top_class_note(reading))
    st.caption(
        f"Confidence {reading.confidence:.1%}, calibrated (temperature {classifier.temperature:.2f}); "
        f"raw softmax {reading.raw_confidence:.1%}"
    )
    left, right = st.columns([1, 2])
    left.image(enlarge(result.digit.image, 196), caption="What the network sees (28x28)")
    with right:
        st.vega_lite_chart(
            spec=probability_spec(reading.probabilities, title="Calibrated probability of each digit"),
            width="stretch",
            key=f"chart-{key}",
        )


def show_steps(result: DigitResult) -> None:
    """An expander with each preprocessing step as a picture."""
    with st.expander("How the picture was prepared (MNIST normalisation)"):
        steps = result.digit.steps
        cols = st.columns(len(STEP_CAPTIONS))
        for col, (name, caption) in zip(cols, STEP_CAPTIONS.items(), strict=True):
            picture = steps[name]
            shown = picture if name == "input" else enlarge(picture, 160, square=True)
            col.image(shown, caption=caption, width="stretch")


def show_digits(result: Result, key: str, classifier: Classifier) -> None:
    """Several digits: the number as the Prediction, then each digit's crop, 28x28 and chart."""
    readings = [d.reading for d in result.digits]
    st.metric("Prediction", shown_number(readings), help="The digits read from left to right")
    st.caption(parts_note(readings))
    for i, d in enumerate(result.digits[:MAX_DIGITS_SHOWN]):
        crop, seen, chart = st.columns([1, 1, 3])
        crop.image(enlarge(d.digit.steps["crop"], 112, square=True), caption=f"Digit {i + 1}: crop")
        seen.image(enlarge(d.digit.image, 112), caption="28x28 input")
        seen.markdown(part_line(d.reading))
        if d.reading.ood_score is not None:
            score = d.reading.ood_score
            seen.caption(score_line(score, classifier.detector), help=explain(score, classifier.detector))
        with chart:
            st.vega_lite_chart(
                spec=probability_spec(d.reading.probabilities, title=f"Digit {i + 1}"),
                width="stretch",
                key=f"chart-{key}-{i}",
            )
    if len(result.digits) > MAX_DIGITS_SHOWN:
        st.caption(f"{len(result.digits) - MAX_DIGITS_SHOWN} more digits, read but not shown one by one.")


def show_every_network(image, key: str) -> None:
    """The same 28x28 read by every shipped network: a table (prediction, calibrated confidence,
    verdict) and the probabilities as small multiples."""
    networks, problems = load_networks()
    readings = {name: c.read(image) for name, c in networks.items()}
    table = pd.DataFrame(
        [
            {
                "network": name,
                "prediction": r.label,
                "confidence": f"{r.confidence:.1%}",
                "verdict": verdict(r.is_digit),
                "test accuracy": f"{networks[name].card['test_accuracy']:.2%}",
            }
            for name, r in readings.items()
        ]
    ).set_index("network")
    st.table(table)
    # Rows of panels: on a phone, Streamlit's columns stack, and the panels stay in order.
    names = list(readings)
    for start in range(0, len(names), NETWORK_PANELS_PER_ROW):
        row = names[start : start + NETWORK_PANELS_PER_ROW]
        for column, name in zip(st.columns(NETWORK_PANELS_PER_ROW), row, strict=False):
            column.altair_chart(
                network_panel(name, readings[name].probabilities),
                width="stretch",
                height=NETWORK_PANEL_HEIGHT,
                key=f"networks-{key}-{start}-{name}",
            )
    st.caption(
        "Each network's calibrated probabilities (its own temperature) for the same 28x28 input; its top "
        "digit in orange. The verdict is each network's own 'not a digit' detector."
    )
    for name, problem in problems.items():
        st.warning(f"{name} is not shown: {problem}")


#: Height in px of the occlusion map's chart: its 220 px square map, the title above, the legend below.
OCCLUSION_HEIGHT = 330
#: Feature maps shown per convolution block: the most active ones.
MAPS_SHOWN = 16


def show_why(image, classifier: Classifier, key: str) -> None:
    """Why the network answered: the occlusion-sensitivity map of its prediction, and the most
    active feature maps of each convolution block."""
    heat, label = occlusion_map(classifier.probabilities, image)
    occlusion, activations = st.columns([1, 2], gap="large")
    with occlusion:
        st.altair_chart(
            heatmap_chart(
                heat, f"Where the {label} comes from", f"drop in P({label})", diverging=True, legend_below=True
            ),
            key=f"occlusion-{key}",
            width="content",
            height=OCCLUSION_HEIGHT,  # left to the content's height, the square map was drawn half as tall
            theme=None,  # Streamlit's theme resizes the plot and cuts the legend
        )
        st.caption(
            f"Occlusion map. A grey square slides over the 28x28 input (Zeiler & Fergus 2014). Orange: covering "
            f"this place lowers the probability of {label}, so the network relied on it; blue: covering it "
            "raises that probability; white: no effect."
        )
    with activations:
        maps = classifier.activations(image)
        if not maps:
            st.info("This network has no convolutions, so there are no feature maps to show.")
        for name, m in maps.items():
            shown, _ = most_active(m, MAPS_SHOWN)
            st.altair_chart(
                heatmap_chart(
                    feature_grid(shown, columns=8),
                    f"{name}: the {shown.shape[-1]} most active of {m.shape[-1]} feature maps "
                    f"({m.shape[0]}x{m.shape[1]})",
                    "activation",
                    size=440,
                    domain=(0, 1),
                ),
                key=f"maps-{key}-{name}",
                width="content",
                theme=None,
            )
        if maps:
            st.caption(
                "The activations of each convolution block after ReLU, one small map per filter, divided by the "
                "block's largest activation: yellow = strongly active, dark blue = silent (viridis)."
                + (" The first of the networks averaged." if ensemble_members(classifier.card) else "")
            )


def show_insights(result: Result, key: str, classifier: Classifier) -> None:
    """Two toggles under a reading: every network's reading of the same 28x28, and why the app's
    network answered. Nothing is computed while they are off."""
    if result.blank or result.texture:
        return
    every = st.toggle("Every network", key=f"every-{key}", help="Read the same 28x28 with every shipped network")
    why = st.toggle("Why it answered", key=f"why-{key}", help="Occlusion map and feature maps")
    if not (every or why):
        return
    digits = result.digits if len(result.digits) > 1 else [result.whole]
    chosen = 0
    if len(digits) > 1:
        chosen = st.selectbox(
            "Digit",
            range(len(digits)),
            format_func=lambda i: f"Digit {i + 1} ({digits[i].reading.label})",
            key=f"pick-{key}",
        )
    image = digits[chosen].digit.image
    if every:
        show_every_network(image, key)
    if why:
        show_why(image, classifier, key)


def show_boxes(result: Result) -> None:
    """The picture as read: each digit's box drawn on it, with what it was read as."""
    picture = boxes_picture(
        display_size(result.whole.digit.steps["input"]),
        result.shape,
        [d.digit.box for d in result.digits],
        [shown_part(d.reading.label, d.reading.is_digit) for d in result.digits],
    )
    st.image(picture, caption=boxes_caption([d.reading for d in result.digits]), width="content")


def show_result(
    result: Result, key: str, classifier: Classifier, boxes: bool = False, blank: str = BLANK_PICTURE
) -> None:
    """Everything about one picture's reading, or a note that there is nothing to read (``blank``
    where the picture has no ink; the toggles of :func:`show_insights` are placed by the page, where
    there is room for them).

    One digit gets the simple view; several get the number and a row per digit. With ``boxes``
    (uploads and photos), the picture is shown first with each digit's box drawn on it.
    """
    if result.texture:
        st.warning(f"Nothing read: {result.texture}. Try a picture of the digits alone, on plain paper.")
        return
    if result.blank:
        st.info(blank)
        return
    if boxes:
        show_boxes(result)
    if len(result.digits) > 1:
        show_digits(result, key, classifier)
    else:
        show_digit(result.whole, key, classifier)
    show_steps(result.whole)
