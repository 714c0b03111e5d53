"""Not a digit: what a softmax classifier trained on ten digits does with a cat, a rocket, a cup,
and how the out-of-distribution detector catches it."""

from __future__ import annotations

import streamlit as st

from digits.network.card import ensemble_members
from digits.network.detector import SCORE_NAMES
from digits.network.recognize import recognize
from digits.reading.decode import UPLOAD_TYPES
from digits.ui.charts import SCORE_CHART_HEIGHT, comparison_chart, enlarge, favicon, score_chart
from digits.ui.gallery import non_digit_photos
from digits.ui.score_samples import load_score_samples, rejection_table
from digits.ui.widgets import (
    classifier_or_stop,
    first_files,
    load_baseline,
    load_networks,
    model_sidebar,
    read_file,
    show_verdict,
)
from digits.ui.wording import (
    EVALUATION_COMMAND,
    features_off_note,
    rejection_caption,
    shown_label,
    top_class_note,
)

EXPLANATION = r"""
A digit classifier ends in a **softmax** over ten classes: from its ten **logits** $z_0, \dots, z_9$ it
reports $p_k = e^{z_k} / \sum_j e^{z_j}$. These ten numbers are positive and **always add up to 1**,
whatever the input. There is no eleventh answer, "none of these": a picture of a cat must put all of
its probability on some digit. And when a network is trained on digits alone, as the plain network
below was, nothing asked it to be unsure about things it never saw, so a cat's logits can be as far
apart as those of a clear 3, and the softmax then reports high confidence. Its top probability ranks
the ten digits against each other; it is not evidence that the input is a digit at all.
"""

DETECTOR = """
**What Digit Canvas does about it.** {training}Beside the softmax, the app computes an
**out-of-distribution (OOD) score** from the network's logits or its `features` (here: the
{score} score). Above a threshold, set so that at most 0.5% of MNIST validation digits are rejected, the
verdict is **not a digit**. {never}
"""
OUTLIER_EXPOSURE = """Its network was trained with **outlier exposure** (Hendrycks, Mazeika & Dietterich
2019): beside the digits it saw generated non-digits (noise, blobs, silhouettes, random strokes and
shapes, scribbles, cut-up digits, letters) with a target that spreads the probability evenly over the
ten digits, so it learned to be unsure of what is not a digit. """
NEVER_OE = (
    "Neither that training nor the choice of score and threshold ever saw these photos or Fashion-MNIST: "
    "they are kept for measuring it."
)
NEVER_PLAIN = (
    "The score was chosen, and the threshold set, without ever seeing these photos or Fashion-MNIST: they "
    "are kept for measuring it."
)


def detector_text(classifier) -> str:
    oe = classifier.outlier_exposure is not None
    score = SCORE_NAMES[classifier.detector.score_name] if classifier.detector else "(not fitted)"
    return DETECTOR.format(training=OUTLIER_EXPOSURE if oe else "", score=score, never=NEVER_OE if oe else NEVER_PLAIN)


@st.cache_resource(show_spinner="Reading the gallery…")
def gallery_results(_classifier, _baseline):
    """Each gallery photo with its reading by both networks, computed once per process."""
    results = []
    for name, photo in non_digit_photos().items():
        result = recognize(photo, _classifier)
        results.append((name, photo, result, result.read_whole_with(_baseline)))
    return results


def plain_networks() -> dict:
    """Every shipped network trained on digits alone (no outlier exposure), by display name."""
    networks, _ = load_networks()
    return {name: c for name, c in networks.items() if c.outlier_exposure is None}


def show_plain_networks(result) -> None:
    """Every plain network's reading of the photo's 28x28, beside the app's verdict above."""
    rows = []
    for name, network in plain_networks().items():
        r = result.read_whole_with(network)
        rows.append({"plain network": name, "prediction": r.label, "softmax confidence": r.raw_confidence})
    if rows:
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={
                "softmax confidence": st.column_config.ProgressColumn(
                    "softmax confidence",
                    help="Top probability at temperature 1",
                    format="percent",
                    min_value=0,
                    max_value=1,
                )
            },
        )


def show_photo(name: str, photo, result, plain, key: str, classifier) -> None:
    st.subheader(name)
    pic, seen, plain_col, ours_col = st.columns([1.6, 1, 1.5, 1.5])
    pic.image(photo, caption="The photo", width="stretch")
    if result.blank:
        seen.info(
            f"Not read: {result.texture}."
            if result.texture
            else "Nothing to read: the preprocessing found no ink in this picture."
        )
        return
    reading = result.whole.reading
    seen.image(enlarge(result.whole.digit.image, 140), caption="What the networks see")
    if plain is not None:
        with plain_col:
            st.markdown("**Plain softmax network**")
            st.metric("Its prediction", str(plain.label))
            st.metric("Its softmax confidence", f"{plain.raw_confidence:.1%}", help="Top probability at temperature 1")
    with ours_col:
        st.markdown("**Digit Canvas**")
        st.metric("Prediction", shown_label(reading))
        st.metric("Raw softmax confidence", f"{reading.raw_confidence:.1%}", help="Top probability at temperature 1")
        show_verdict(reading, classifier.detector)
        if reading.is_digit is False:
            st.caption(top_class_note(reading))
        if reading.features_off:
            networks = len(ensemble_members(classifier.card)) or 1
            st.caption(features_off_note(classifier.feature_dim, classifier.outlier_exposure is not None, networks))
    networks = {"Digit Canvas": reading.raw_probabilities()}
    if plain is not None:
        networks = {"plain softmax network": plain.raw_probabilities()} | networks
    st.altair_chart(
        comparison_chart(networks, title="Raw softmax (temperature 1)"), width="stretch", height=280, key=f"chart-{key}"
    )
    if st.session_state.get("every-plain"):
        show_plain_networks(result)


def show_distributions(classifier) -> None:
    detector = classifier.detector
    if detector is None:
        st.info("This model has no 'not a digit' detector, so there are no score distributions to show.")
        return
    samples, problem = load_score_samples(classifier.card["sha256"])
    if samples is not None and samples.get("score") != detector.score_name:
        samples, problem = None, "the score samples are of another score than the detector's"
    if samples is None:
        st.info(f"No score distributions for this model: {problem}. Measure them with `{EVALUATION_COMMAND}`.")
        return
    st.altair_chart(
        score_chart(samples["sets"], detector.threshold, SCORE_NAMES[detector.score_name]),
        width="stretch",
        height=SCORE_CHART_HEIGHT,
    )
    st.caption(
        f"The {SCORE_NAMES[detector.score_name]} score of MNIST test digits and of out-of-distribution sets, "
        "all through the upload preprocessing; the dashed line is the threshold. "
        f"The chart shows {samples.get('note', 'a sample of each set')}; measured by `{EVALUATION_COMMAND}`."
    )
    rows, whole_sets = rejection_table(samples, detector)
    st.dataframe(
        rows,
        hide_index=True,
        column_config={
            "called not a digit": st.column_config.NumberColumn(format="%.1f%%"),
            "pictures": st.column_config.NumberColumn(format="%d"),
        },
    )
    st.caption(rejection_caption(whole_sets))


def main() -> None:
    st.set_page_config(page_title="Not a digit · Digit Canvas", page_icon=favicon(), layout="wide")
    st.title(":material/block: Not a digit")
    st.write(
        "These are real photos, not digits. Each goes through exactly the same preprocessing as an upload, "
        "and is read here as one picture, the whole of it one 28x28 (the Upload tab reads a picture part by "
        "part: there a photo can be cut into marks, and a thin one at its edge may pass for a 1). "
        "A plain softmax network, trained on digits alone, answers anyway, often with high confidence. "
        "Digit Canvas tries to say *not a digit*; the chart below shows, honestly, how often it can."
    )
    st.markdown(EXPLANATION)
    classifier = classifier_or_stop()
    st.markdown(detector_text(classifier))
    model_sidebar(classifier)

    st.header("How far from a digit? The score, set by set")
    show_distributions(classifier)

    baseline, baseline_problem = load_baseline()
    if baseline is None:
        st.warning(f"The plain network is not shown beside Digit Canvas: {baseline_problem}")

    st.toggle(
        "Every plain network under each picture",
        key="every-plain",
        help="The prediction and softmax confidence of every shipped network trained on digits alone: the "
        "classic tutorial networks and the plain CNN",
    )
    st.header("Your own pictures")
    files = st.file_uploader("Upload anything that is not a digit", type=UPLOAD_TYPES, accept_multiple_files=True)
    for i, f in enumerate(first_files(files)):
        result, error = read_file(f.getvalue(), classifier)
        if error:
            st.error(f"**{f.name}** can't be read: {error}.")
        else:
            show_photo(
                f.name, f.getvalue(), result, result.read_whole_with(baseline), key=f"own-{i}", classifier=classifier
            )

    st.header("Gallery")
    for i, (name, photo, result, plain) in enumerate(gallery_results(classifier, baseline)):
        show_photo(name, photo, result, plain, key=f"gallery-{i}", classifier=classifier)


main()
