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


def test_rejection_rates_are_the_detectors_verdicts(classifier):
    """The page's table of how often each set is called "not a digit": the detector's own verdict on
    every committed score sample, counted; the committed figures keep issue 8's promises (at most
    0.5% of validation digits rejected, so a few in a thousand test digits; most of Fashion-MNIST caught)."""
    from digits.ui.score_samples import rejection_table

    samples, _ = load_score_samples(classifier.card["sha256"])
    rows = rejection_table(samples["sets"], classifier.detector)
    assert [r["set"] for r in rows] == list(samples["sets"])
    for row in rows:
        scores = samples["sets"][row["set"]]
        rejected = sum(not classifier.detector.accepts(s) for s in scores)
        assert row["pictures"] == len(scores)
        assert row["called not a digit"] == pytest.approx(100 * rejected / len(scores))
    by_set = {r["set"]: r["called not a digit"] for r in rows}
    assert by_set["MNIST test digits"] < 2 and by_set["Fashion-MNIST test"] > 90
    assert rejection_table({"empty": []}, classifier.detector) == [
        {"set": "empty", "pictures": 0, "called not a digit": 0.0}
    ]
