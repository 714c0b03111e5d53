"""Not a digit: what a softmax classifier trained on ten digits does with a cat, a rocket, a cup,
and how the out-of-distribution detector catches it."""

from __future__ import annotations

import streamlit as st

from digits.charts import enlarge, probability_chart, score_chart
from digits.detector import SCORE_NAMES, load_score_samples
from digits.gallery import non_digit_photos
from digits.preprocess import UPLOAD_TYPES
from digits.recognize import recognize, recognize_file
from digits.ui import classifier_or_stop, model_sidebar, show_verdict

EXPLANATION = r"""
The network ends in a **softmax** over ten classes: from its ten **logits** $z_0, \dots, z_9$ it
reports $p_k = e^{z_k} / \sum_j e^{z_j}$. These ten numbers are positive and **always add up to 1**,
whatever the input. There is no eleventh answer, "none of these": a picture of a cat must put all of
its probability on some digit. And nothing in training asked the network to be unsure about things it
never saw, since it only ever saw digits, so a cat's logits can be as far apart as those of a clear 3,
and the softmax then reports high confidence. The top probability ranks the ten digits against each
other; it is not evidence that the input is a digit at all.
"""

DETECTOR = """
**The detector.** Beside the softmax, the app scores how far the input is from what the network saw
in training: an **out-of-distribution (OOD) score** computed from its logits and from its `features`
layer. Above a threshold, set so that at most 0.5% of MNIST validation digits are rejected, the verdict
is **not a digit**. The score was chosen, and the threshold set, without ever seeing these photos or
Fashion-MNIST: they are kept for measuring it.
"""


@st.cache_resource(show_spinner="Reading the gallery…")
def gallery_results(_classifier):
    """Each gallery photo with its reading, computed once per process."""
    return [(name, photo, recognize(photo, _classifier)) for name, photo in non_digit_photos().items()]


def show_photo(name: str, photo, result, key: str, classifier) -> None:
    st.subheader(name)
    pic, seen, numbers, chart = st.columns([2, 1.2, 1.6, 3])
    pic.image(photo, caption="The photo", width="stretch")
    if result.blank:
        seen.info("Nothing to read: the preprocessing found no ink in this picture.")
        return
    reading = result.whole.reading
    seen.image(enlarge(result.whole.digit.image, 140), caption="What the network sees")
    with numbers:
        st.metric("Prediction", str(reading.label))
        st.metric("Raw softmax confidence", f"{reading.raw_confidence:.1%}", help="Top probability at temperature 1")
        show_verdict(reading, classifier.detector)
    with chart:
        st.altair_chart(
            probability_chart(reading.raw_probabilities(), title="Raw softmax (temperature 1)"),
            width="stretch",
            key=f"chart-{key}",
        )


def show_distributions(classifier) -> None:
    samples = load_score_samples()
    detector = classifier.detector
    if samples is None or detector is None or samples.get("score") != detector.score_name:
        st.info("No score distributions for this model yet: run `python -m digits.evaluate_ood` to measure them.")
        return
    st.altair_chart(
        score_chart(samples["sets"], detector.threshold, SCORE_NAMES[detector.score_name]),
        width="stretch",
    )
    st.caption(
        f"The {SCORE_NAMES[detector.score_name]} score of MNIST test digits and of out-of-distribution sets, "
        "all through the upload preprocessing; the dashed line is the threshold. "
        f"Measured by `python -m digits.evaluate_ood` ({samples.get('note', '')})."
    )


def main() -> None:
    st.set_page_config(page_title="Not a digit · Digit Canvas", page_icon="🐈", layout="wide")
    st.title("🐈 Not a digit")
    st.write(
        "These are real photos, not digits. Each goes through exactly the same preprocessing as an upload. "
        "The plain softmax answers anyway, often with high confidence. The detector beside it tries to say "
        "*not a digit*; the chart below shows, honestly, how often it can."
    )
    st.markdown(EXPLANATION)
    st.markdown(DETECTOR)
    classifier = classifier_or_stop()
    model_sidebar(classifier)

    st.header("How far from a digit? The score, set by set")
    show_distributions(classifier)

    st.header("Your own pictures")
    files = st.file_uploader("Upload anything that is not a digit", type=UPLOAD_TYPES, accept_multiple_files=True)
    for i, f in enumerate(files or []):
        result, error = recognize_file(f.getvalue(), classifier)
        if error:
            st.error(f"**{f.name}** can't be read: {error}.")
        else:
            show_photo(f.name, f.getvalue(), result, key=f"own-{i}", classifier=classifier)

    st.header("Gallery")
    for i, (name, photo, result) in enumerate(gallery_results(classifier)):
        show_photo(name, photo, result, key=f"gallery-{i}", classifier=classifier)


main()
