"""A damaged model card is always one clear error, never a traceback: in the library, the CLI and the pages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from digits.network.card import RESTORE, ModelCardError, card_path_for, read_card, write_card
from digits.network.classifier import Classifier, default_model

from conftest import ROOT, copy_app_model


def _drop(section: str, key: str):
    def damage(card):
        del card[section][key]
        return card

    return damage


def _set(path: tuple[str, ...], value):
    def damage(card):
        target = card
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return card

    return damage


#: name -> (damage to the committed card, words the error must contain)
DAMAGES = {
    "ood without threshold": (_drop("ood", "threshold"), "threshold"),
    "ood threshold not a number": (_set(("ood", "threshold"), "high"), "threshold"),
    "ood unknown score": (_set(("ood", "score"), "vibes"), "unknown score"),
    "ood not an object": (_set(("ood",), [1, 2]), "'ood' section"),
    # (An MSP or energy detector needs no Mahalanobis parameters: the classic networks have none.)
    "ood Mahalanobis missing": (
        lambda card: _drop("ood", "mahalanobis")(_set(("ood", "score"), "mahalanobis")(card)),
        "Mahalanobis",
    ),
    "ood Mahalanobis wrong size": (
        _set(("ood", "mahalanobis"), {"means": [[0.0] * 3] * 10, "precision": [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]}),
        "dimensions",
    ),
    "test accuracy missing": (lambda card: {k: v for k, v in card.items() if k != "test_accuracy"}, "test_accuracy"),
    "epochs not a number": (_set(("epochs",), "twenty"), "epochs"),
    "temperature zero": (_set(("calibration", "temperature"), 0), "temperature"),
    "temperature negative": (_set(("calibration", "temperature"), -0.85), "temperature"),
    "calibration not an object": (_set(("calibration",), "warm"), "'calibration'"),
    "outlier exposure without pool": (
        lambda card: card | {"config": card["config"] | {"outlier_exposure": {}}},
        "outlier-exposure",
    ),
}


def damaged_copy(folder, damage, name: str = "mnist_cnn.keras"):
    """A copy of the app's model in ``folder`` with a damaged card (re-hashed, so only the damage is wrong)."""
    model = copy_app_model(folder, name)
    write_card(model, damage(read_card(default_model())))
    return model


def assert_one_clear_line(message: str, *words: str) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert "damaged" in message and "git checkout model/" in message, message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("name", DAMAGES)
def test_damaged_card_is_one_clear_error(tmp_path, name):
    damage, words = DAMAGES[name]
    with pytest.raises(ModelCardError) as caught:
        Classifier(damaged_copy(tmp_path, damage))
    assert_one_clear_line(str(caught.value), words)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[1, 2, 3]", "not an object"),
        ('"a card"', "not an object"),
        ("{not json", "cannot be read as JSON"),
        ("", "JSON"),
    ],
)
def test_card_that_is_not_a_json_object_is_one_clear_error(tmp_path, text, words):
    model = copy_app_model(tmp_path)
    card_path_for(model).write_text(text)
    with pytest.raises(ModelCardError) as caught:
        read_card(model)
    assert_one_clear_line(str(caught.value), words)


def test_the_calibration_command_can_load_a_card_whose_fitted_sections_are_damaged(tmp_path):
    """What RESTORE offers must work: the raw network loads whatever the calibration and ood sections hold."""
    model = damaged_copy(tmp_path, lambda card: card | {"calibration": {"temperature": -1}, "ood": {"score": 3}})
    raw = Classifier(model, calibrated=False)
    assert raw.detector is None and raw.temperature == 1.0
    assert "python -m digits.training.calibration" in RESTORE


@pytest.mark.parametrize("name", ["ood without threshold", "temperature zero", "test accuracy missing"])
def test_predict_says_one_line_and_exits_2(tmp_path, name):
    damage, words = DAMAGES[name]
    model = damaged_copy(tmp_path, damage)
    image = tmp_path / "seven.png"
    Image.new("L", (64, 64), 255).save(image)
    run = subprocess.run(
        [sys.executable, "predict.py", "--model", str(model), str(image)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2, run.stderr[-2000:]
    errors = [line for line in run.stderr.splitlines() if line.startswith("predict.py: error:")]
    assert len(errors) == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert_one_clear_line(errors[0], words)


@pytest.mark.parametrize("page", ["app.py", "pages/1_Not_a_digit.py"])
def test_pages_explain_a_damaged_app_card(models, page):
    card = json.loads((models / "mnist_cnn.json").read_text())
    del card["ood"]["threshold"]
    write_card(models / "mnist_cnn.keras", card)
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception
    assert len(at.error) == 1
    assert_one_clear_line(at.error[0].value.replace("**The model cannot be loaded.** ", ""), "threshold")


def test_damaged_baseline_card_hides_only_the_side_by_side(models):
    card = json.loads((models / "baseline_cnn.json").read_text())
    card["calibration"]["temperature"] = "hot"
    write_card(models / "baseline_cnn.keras", card)
    at = AppTest.from_file(str(ROOT / "pages" / "1_Not_a_digit.py"), default_timeout=120).run()
    assert not at.exception and not at.error
    notes = [w.value for w in at.warning if "plain network is not shown" in w.value]
    assert len(notes) == 1 and "temperature" in notes[0] and "\n" not in notes[0]
    assert not [m for m in at.metric if m.label == "Its prediction"]  # no side-by-side
    verdicts = [m.value for m in at.metric if m.label == "Verdict"]
    assert len(verdicts) == 6 and set(verdicts) <= {"digit", "not a digit"}  # the rest of the page works


def test_a_fine_tuned_network_counts_the_runs_it_started_from():
    """The committed app network is two networks averaged, each fine-tuned (train.py --init): its
    training time and epochs include those of every run of each member, as their cards record them
    (each run's card nested in the next one's ``config.init``); a classic network's are its own."""
    from digits.network.card import ensemble_members, training_totals

    card = read_card(ROOT / "model" / "mnist_cnn.keras")
    members = ensemble_members(card)
    assert len(members) == 2, "the committed network is a deep ensemble of two"
    total_seconds, total_epochs, total_tuning = 0.0, 0, 0
    for member in members:
        runs, init = [(member["training_seconds"], member["epochs"])], member["config"]["init"]
        assert init, "each member was fine-tuned"
        while init:
            runs.append((init["training_seconds"], init["config"]["epochs"]))
            init = init["config"].get("init")
        total_seconds += sum(s for s, _ in runs)
        total_epochs += sum(e for _, e in runs)
        total_tuning += sum(e for _, e in runs[:-1])  # all but the first run
    seconds, epochs, tuning = training_totals(card)
    assert seconds == pytest.approx(total_seconds) and (epochs, tuning) == (total_epochs, total_tuning)
    assert card["ensemble"]["training_seconds"] == pytest.approx(seconds, abs=0.1)  # the card says it too
    lenet = read_card(ROOT / "model" / "lenet.keras")
    assert training_totals(lenet) == (lenet["training_seconds"], lenet["epochs"], 0)
    # Two fine-tuning runs in a row: three runs counted, the last two as fine-tuning.
    base = {"training_seconds": 100.0, "config": {"epochs": 20, "init": None}}
    first = {"training_seconds": 10.0, "config": {"epochs": 6, "init": base}}
    second = {"training_seconds": 5.0, "epochs": 3, "config": {"epochs": 3, "init": first}}
    assert training_totals(second) == (115.0, 29, 9)
