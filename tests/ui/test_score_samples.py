"""The non-digit page's score chart is tied to the model it was measured on."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from digits.evaluation.evaluate_ood import samples_path
from digits.network.classifier import default_model
from digits.ui.score_samples import load_score_samples, scores_path

from conftest import ROOT


def test_committed_samples_belong_to_the_committed_model(classifier):
    samples, problem = load_score_samples(classifier.card["sha256"])
    assert problem == "" and samples["model_sha256"] == classifier.card["sha256"]
    assert samples["score"] == classifier.detector.score_name
    assert samples["threshold"] == classifier.detector.threshold
    assert all(len(v) > 100 for v in samples["sets"].values())


def test_samples_of_another_model_are_refused(tmp_path, classifier):
    path = tmp_path / "ood_scores.json"
    path.write_text(json.dumps(json.loads(scores_path().read_text()) | {"model_sha256": "0" * 64}))
    samples, problem = load_score_samples(classifier.card["sha256"], path)
    assert samples is None and "another model" in problem
    path.write_text("{broken")
    assert load_score_samples(classifier.card["sha256"], path) == (None, "ood_scores.json cannot be read")
    assert load_score_samples(classifier.card["sha256"], tmp_path / "none.json") == (None, "none.json is missing")


def test_page_says_when_the_samples_are_stale(models):
    path = models / "ood_scores.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {"model_sha256": "f" * 64}))
    at = AppTest.from_file(str(ROOT / "pages" / "1_Not_a_digit.py"), default_timeout=120).run()
    assert not at.exception
    notes = [i.value for i in at.info if "No score distributions" in i.value]
    assert len(notes) == 1 and "another model" in notes[0]
    assert "python -m digits.evaluation.evaluate_ood" in notes[0]


def test_evaluation_writes_samples_only_for_the_app_model(tmp_path):
    assert samples_path(None, None) == scores_path()
    assert samples_path(str(default_model()), None) == scores_path()
    assert samples_path(str(ROOT / "model" / "baseline_cnn.keras"), None) is None
    assert samples_path(str(ROOT / "model" / "baseline_cnn.keras"), str(tmp_path / "b.json")) == tmp_path / "b.json"


def test_rejection_rates_count_every_picture_of_each_set(classifier):
    """The page's table of how often each set is called "not a digit": the evaluation's counts over
    every non-blank picture of each set, made at the app's detector; they agree with the detector's
    own verdict on the committed score samples to within a sample's error; and the committed figures
    keep issue 8's promises (at most 0.5% of validation digits rejected, so a few in a thousand test
    digits; most of Fashion-MNIST caught)."""
    from digits.ui.score_samples import rejection_table

    samples, _ = load_score_samples(classifier.card["sha256"])
    rows, whole_sets = rejection_table(samples, classifier.detector)
    assert whole_sets and [r["set"] for r in rows] == list(samples["sets"])
    by_set = {r["set"]: r for r in rows}
    assert by_set["MNIST test digits"]["pictures"] == 10000  # no MNIST test digit reads as blank
    for row in rows:
        scores = samples["sets"][row["set"]]
        assert row["pictures"] >= len(scores)
        sampled = 100 * sum(not classifier.detector.accepts(s) for s in scores) / len(scores)
        assert abs(row["called not a digit"] - sampled) < 3  # a sample of up to 1,000: within a few points
    assert (
        by_set["MNIST test digits"]["called not a digit"] < 1
        and by_set["Fashion-MNIST test"]["called not a digit"] > 90
    )


def test_rejection_rates_fall_back_on_the_samples_when_the_counts_are_stale(classifier):
    """A file without counts, counted at another threshold (the detector refitted since), or with
    counts that are not counts: each score sample is judged by the detector's own verdict, and the
    table says it is of the samples."""
    from digits.ui.score_samples import rejection_table

    samples, _ = load_score_samples(classifier.card["sha256"])
    damaged = {name: [None, 10] for name in samples["sets"]}
    for stale in (
        {k: v for k, v in samples.items() if k != "counts"},
        samples | {"threshold": samples["threshold"] + 0.01},
        samples | {"counts": damaged},  # a hand-edited file: not counts, and no crash
        samples | {"counts": samples["counts"] | {"MNIST test digits": [11, 10]}},
    ):
        rows, whole_sets = rejection_table(stale, classifier.detector)
        assert not whole_sets
        for row in rows:
            scores = samples["sets"][row["set"]]
            rejected = sum(not classifier.detector.accepts(s) for s in scores)
            assert row["pictures"] == len(scores)
            assert row["called not a digit"] == pytest.approx(100 * rejected / len(scores))
    assert rejection_table({"sets": {"empty": []}}, classifier.detector) == (
        [{"set": "empty", "pictures": 0, "called not a digit": 0.0}],
        False,
    )
