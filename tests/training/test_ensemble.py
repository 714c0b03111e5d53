"""digits.training.ensemble: the joined model answers the mean of its members' logits, served and
as Keras, and its card records every member and adds up their training."""

from __future__ import annotations

import numpy as np
import pytest

from digits.network.card import read_card, sha256_file, training_totals, write_card
from digits.network.classifier import Classifier, default_model

from conftest import mnist_dir


def member(folder, seed: int, seconds: float):
    """An app network with new weights (seed ``seed``) and a card that says it trained ``seconds``
    in one epoch: ``(path, model)``."""
    import keras

    from digits.network.architecture import build_model
    from digits.training.loop import architecture_summary

    keras.utils.set_random_seed(seed)
    model = build_model()
    folder.mkdir()
    path = folder / "mnist_cnn.keras"
    model.save(path)
    card = {
        "name": "mnist_cnn",
        "architecture": architecture_summary(model),
        "parameters": int(model.count_params()),
        "epochs": 1,
        "training_seconds": seconds,
        "val_accuracy": 0.1,
        "test_accuracy": 0.1,
        "seed": seed,
        "config": {"outlier_exposure": None},
    }
    write_card(path, card)
    return path, model


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    """Two members with new weights and their ensemble, calibrated as a smoke run calibrates."""
    from digits.training.ensemble import make_ensemble

    root = tmp_path_factory.mktemp("ensemble")
    (a, model_a), (b, model_b) = member(root / "a", 1, 60.0), member(root / "b", 2, 90.0)
    card = make_ensemble([a, b], str(mnist_dir()), root / "out", limit=512)
    return root / "out" / "mnist_cnn.keras", card, (a, b), (model_a, model_b)


def test_the_ensemble_answers_the_mean_of_its_members_logits(joined, mnist_test):
    import keras

    path, card, _, models = joined
    x = mnist_test[0][:300].astype(np.float32)[..., None] / 255.0
    mean = np.mean([m.predict(x, verbose=0) for m in models], axis=0)
    np.testing.assert_allclose(keras.models.load_model(path, compile=False).predict(x, verbose=0), mean, atol=1e-4)
    served = Classifier(path)  # the ONNX export, checked against its card
    features, logits = served.forward(x)
    np.testing.assert_allclose(logits, mean, atol=1e-4)
    # The features are both members' side by side (all 0 only where both answer their biases alone);
    # the feature maps are the first member's.
    own = [keras.Model(m.inputs, m.get_layer("features").output).predict(x, verbose=0) for m in models]
    np.testing.assert_allclose(features, np.concatenate(own, axis=1), atol=1e-4)
    assert served.feature_dim == 256 and served.activation_names == ["block1_relu2", "block2_relu2"]
    block = keras.Model(models[0].inputs, models[0].get_layer("block2_relu2").output).predict(x[:1], verbose=0)
    np.testing.assert_allclose(served.activations(x[0])["block2_relu2"], block[0], atol=1e-4)
    # Its card says what it scores: the accuracy of the mean logits on the 10,000 test digits.
    full = mnist_test[0].astype(np.float32)[..., None] / 255.0
    accuracy = float(np.mean(served.logits(full).argmax(1) == mnist_test[1]))
    assert card["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)


def test_the_card_records_every_member_and_adds_up_their_training(joined):
    path, card, members, _ = joined
    assert read_card(path) == {k: v for k, v in card.items() if k != "card_file"}
    records = card["ensemble"]["members"]
    assert [r["sha256"] for r in records] == [sha256_file(m) for m in members]
    assert [r["seed"] for r in records] == [1, 2]
    assert training_totals(card) == (150.0, 2, 0) and card["ensemble"]["training_seconds"] == 150.0
    assert card["parameters"] == 2 * records[0]["parameters"]
    assert "calibration" in card and "ood" in card


def test_only_chains_of_at_least_two_networks_are_joined(joined):
    import keras

    from digits.training.ensemble import build_ensemble

    _, _, _, models = joined
    with pytest.raises(ValueError, match="at least two"):
        build_ensemble([models[0]])
    # The committed network is itself an ensemble: its output layer takes two inputs.
    committed = keras.models.load_model(default_model(), compile=False)
    with pytest.raises(ValueError, match="does not take"):
        build_ensemble([committed, models[0]])


def test_the_command_line_refuses_bad_members_in_one_line(tmp_path, capsys):
    from digits.training.ensemble import main

    with pytest.raises(SystemExit) as e:
        main(["--members", str(default_model())])
    assert e.value.code == 2 and "at least two" in capsys.readouterr().err
    assert main(["--members", str(tmp_path / "none.keras"), str(default_model()), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "No trained model" in err


def test_a_network_is_joined_once_and_an_ensemble_not_at_all(joined, tmp_path):
    from digits.network.card import ModelCardError
    from digits.training.ensemble import make_ensemble

    _, _, (a, b), _ = joined
    with pytest.raises(ValueError, match="the same network"):
        make_ensemble([a, b, a], str(mnist_dir()), tmp_path)
    with pytest.raises(ModelCardError, match="not a single app network"):
        make_ensemble([default_model(), a], str(mnist_dir()), tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_failed_export_leaves_the_folder_as_it_was(joined, tmp_path, monkeypatch):
    """The three files are made aside and moved in together: an export that fails writes nothing
    into the folder (the app would refuse a model whose card no longer matches it), and says so in
    one line."""
    import digits.training.export as export
    from digits.network.card import ModelCardError
    from digits.training.ensemble import make_ensemble

    _, _, members, _ = joined
    (tmp_path / "keep.txt").write_text("was here")

    def broken(model, path):
        raise RuntimeError("tf2onnx\nsaid\nmany things")

    monkeypatch.setattr(export, "export_served", broken)
    with pytest.raises(ModelCardError, match="the ONNX export failed: tf2onnx said many things"):
        make_ensemble(list(members), str(mnist_dir()), tmp_path, limit=512)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_damaged_member_record_is_one_clear_error(tmp_path):
    """The app adds up the members' training from the card: a member record without its figures is
    refused when the card is read, not when the sidebar is drawn."""
    import json
    import shutil

    from digits.network.card import ModelCardError, card_path_for, served_path_for

    for path in (default_model(), card_path_for(default_model()), served_path_for(default_model())):
        shutil.copy(path, tmp_path / path.name)
    card_file = tmp_path / card_path_for(default_model()).name
    card = json.loads(card_file.read_text())
    del card["ensemble"]["members"][1]["epochs"]
    card_file.write_text(json.dumps(card))
    with pytest.raises(ModelCardError, match="ensemble member 2's 'epochs'"):
        read_card(tmp_path / default_model().name)


def test_an_ensemble_is_not_fine_tuned():
    from digits.training.loop import _init_card

    with pytest.raises(ValueError, match="a deep ensemble"):
        _init_card(default_model())
