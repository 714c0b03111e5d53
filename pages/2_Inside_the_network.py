"""Inside the network: each shipped network's layers, training curves, confusion matrix, training
data per digit, and its most confident mistakes, from its card and its report file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from digits.network.card import ModelCardError, training_totals
from digits.network.report import decode_png, read_report
from digits.network.zoo import CLASSIC_NETWORKS
from digits.ui.charts import confusion_chart, counts_chart, enlarge, history_chart
from digits.ui.widgets import load_networks
from digits.ui.wording import ensemble_note, history_caption

MISTAKE_COLUMNS = 8


@st.cache_data(max_entries=16, show_spinner=False)
def report_of(model_path: str, model_sha256: str) -> tuple[dict | None, str]:
    """The network's report, or ``(None, reason)``; cached per model version."""
    try:
        return read_report(model_path, model_sha256), ""
    except ModelCardError as e:
        return None, str(e)


def show_overview(classifier, report: dict | None) -> None:
    card = classifier.card
    spec = CLASSIC_NETWORKS.get(classifier.model_path.stem)
    if spec is not None:
        st.markdown(f"**Architecture:** {spec.architecture}")
        r = spec.recipe
        st.caption(
            f"Recipe: {r.optimizer_title} at {r.lr:g}, {r.epochs} epochs, "
            f"batch {r.batch_size}, no augmentation. Reported by its source: {spec.reported or '—'}."
        )
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{card['test_accuracy']:.2%}", help="MNIST test set, 10,000 digits")
    cols[1].metric("Parameters", f"{card['parameters']:,}")
    seconds, epochs, fine_tuning = training_totals(card)
    tuned = f"; {fine_tuning} of its {epochs} epochs fine-tuning another network" if fine_tuning else ""
    cols[2].metric("Training time", f"{seconds / 60:.1f} min", help=f"{card.get('training_machine')}{tuned}")
    if report is not None:
        cols[3].metric(
            "Calibration error (ECE)",
            f"{report['test_ece']:.2%}",
            help=f"Expected calibration error on the test set at temperature {report['temperature']:.3g}",
        )
    if note := ensemble_note(card):
        st.caption(note)


def show_layers(report: dict) -> None:
    st.subheader("Layers")
    layers = pd.DataFrame(report["layers"]).set_index("layer")
    layers["parameters"] = layers["parameters"].map("{:,}".format)
    # A data frame scrolls sideways on a phone, where a static table's right columns were cut off.
    st.dataframe(layers, width="stretch", height="content")


def show_history(card: dict) -> None:
    st.subheader("Training")
    history = card.get("history") or {}
    if not history.get("loss"):
        st.info("This network's card has no training history.")
        return
    st.altair_chart(history_chart(history))
    st.caption(history_caption(card))


def show_confusion(report: dict) -> None:
    st.subheader("Confusion matrix (MNIST test set)")
    chart, table = st.columns([3, 2])
    chart.altair_chart(confusion_chart(report["confusion"]))
    chart.caption(
        "Rows: the true digit; columns: the network's answer. The diagonal holds the right answers; "
        "colours on a logarithmic scale (viridis)."
    )
    table.dataframe(
        pd.DataFrame(
            {
                "digit": range(10),
                "precision": [f"{v:.2%}" for v in report["precision"]],
                "recall": [f"{v:.2%}" for v in report["recall"]],
                "test digits": [sum(row) for row in report["confusion"]],
            }
        ),
        hide_index=True,
    )
    table.caption("Precision: of the answers 'd', how many were d. Recall: of the d's, how many were read as d.")
    st.subheader("Training images per digit")
    st.altair_chart(counts_chart(report["train_counts"]), width="stretch")
    st.caption("MNIST's training digits, by label.")


def show_mistakes(report: dict) -> None:
    st.subheader("The most confident mistakes")
    mistakes = report["mistakes"]
    st.caption(
        f"The {len(mistakes)} test digits the network got wrong with the highest calibrated confidence, as it "
        "receives them (28x28). Some are mislabelled or ambiguous even to people."
    )
    for start in range(0, len(mistakes), MISTAKE_COLUMNS):
        for col, m in zip(st.columns(MISTAKE_COLUMNS), mistakes[start : start + MISTAKE_COLUMNS], strict=False):
            col.image(
                enlarge(decode_png(m["png"]), 84),
                caption=f"label {m['label']} → {m['prediction']} · {m['confidence']:.0%}",
            )


def main() -> None:
    st.title(":material/neurology: Inside the network")
    st.write(
        "The classic MNIST networks of the tutorials, the plain CNN and the app's network, side by side: how "
        "each is built and trained, where it goes wrong on the 10,000 test digits, and what it is most sure "
        "of while wrong."
    )
    networks, problems = load_networks()
    for name, problem in problems.items():
        st.warning(f"{name} is not available: {problem}")
    if not networks:
        st.error("No network could be loaded. Restore `model/` with `git checkout model/`.")
        return
    name = st.selectbox("Network", list(networks), key="network")
    classifier = networks[name]
    report, problem = report_of(str(classifier.model_path), classifier.card["sha256"])
    show_overview(classifier, report)
    if report is not None:
        show_layers(report)
    show_history(classifier.card)
    if report is None:
        st.info(f"No test-set figures for this network: {problem}")
        return
    show_confusion(report)
    show_mistakes(report)


main()
