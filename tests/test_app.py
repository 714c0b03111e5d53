"""AppTest smoke tests of every page (the canvas itself is driven in the browser tests)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

TIMEOUT = 60  # importing TensorFlow takes longer than AppTest's default 3 s


def metric_values(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def test_draw_page_runs_and_shows_the_model_card(classifier):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Draw", "Upload", "Camera"]
    accuracy = metric_values(at, "Test accuracy (MNIST, 10,000 digits)")
    assert accuracy == [f"{classifier.card['test_accuracy']:.2%}"]
    assert at.slider[0].value == 22  # MNIST-like stroke width by default
    assert any("draw a digit" in i.value.lower() for i in at.info)
    # Outlier exposure's two weights, each named for what it is: the non-digits' share against the
    # digits, and one non-digit's weight against one digit (the "Inside the network" caption's).
    oe = classifier.outlier_exposure
    said = [c.value for c in at.sidebar.caption if "outlier exposure" in c.value]
    assert len(said) == 1 and f"weighing {oe['weight']:g} of the digits" in said[0]
    assert f"each one {oe['outlier_sample_weight']:.2f} times a digit" in said[0]


def test_not_a_digit_page_reads_every_photo(classifier):
    from digits.network.recognize import recognize
    from digits.ui.gallery import non_digit_photos

    at = AppTest.from_file(str(ROOT / "pages" / "1_Not_a_digit.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    predictions = metric_values(at, "Prediction")
    assert len(predictions) == len(non_digit_photos())
    verdicts = metric_values(at, "Verdict")
    assert len(verdicts) == len(predictions)
    # A digit where the detector accepts the reading; none ("—") where it calls the photo not a digit,
    # with the softmax's top class said beneath.
    for p, v in zip(predictions, verdicts, strict=True):
        assert (p in "0123456789" and len(p) == 1) if v == "digit" else p == "—"
    notes = [c.value for c in at.caption if c.value.startswith("Not a digit: the softmax still puts")]
    assert len(notes) == verdicts.count("not a digit") > 0
    # Where the network's features are all off, the page says so, for the photos that are so.
    results = [recognize(p, classifier) for p in non_digit_photos().values()]
    off = [r.whole.reading.features_off for r in results if not r.blank]
    said = [c.value for c in at.caption if "features are zero for this picture" in c.value]
    assert len(said) == sum(off) > 0
    assert any("always add up to 1" in m.value for m in at.markdown)
    # Raw softmax confidence next to the detector's verdict, for every photo.
    raw = metric_values(at, "Raw softmax confidence")
    assert len(raw) == len(predictions) and all(v.endswith("%") for v in raw)
    assert set(verdicts) <= {"digit", "not a digit"}
    # The same network trained on digits alone, beside it: confidently wrong on some photo that
    # the app calls "not a digit".
    plain_labels = metric_values(at, "Its prediction")
    plain_conf = metric_values(at, "Its softmax confidence")
    assert len(plain_labels) == len(plain_conf) == len(predictions)
    assert any(float(c.rstrip("%")) >= 90 and v == "not a digit" for c, v in zip(plain_conf, verdicts, strict=True))
    # The score distribution chart, from model/ood_scores.json, and how often each set is rejected.
    assert not any("No score distributions" in i.value for i in at.info)
    (rates,) = at.dataframe
    table = rates.value.set_index("set")
    assert table.loc["MNIST test digits", "pictures"] == 10000  # every test digit, not the chart's sample
    assert table.loc["MNIST test digits", "called not a digit"] <= 1
    assert table.loc["Fashion-MNIST test", "called not a digit"] >= 90
    assert any(c.value.startswith("How often") and "every picture of each set" in c.value for c in at.caption)


def test_uploads_are_read_once_and_at_most_twenty(classifier, mnist_test, monkeypatch):
    """22 real MNIST digits on paper, uploaded at once: the first 20 are read (and said to be the
    first 20), each once; a rerun of the page (a canvas setting changed) reads none of them again."""
    import streamlit as st
    from PIL import Image

    import digits.ui.widgets as widgets

    from helpers import on_paper, png_bytes

    calls = []
    real = widgets.recognize_file
    monkeypatch.setattr(widgets, "recognize_file", lambda data, clf: calls.append(len(data)) or real(data, clf))
    st.cache_data.clear()
    x, y = mnist_test
    n = widgets.MAX_FILES + 2
    files = [(f"digit_{i}.png", png_bytes(Image.fromarray(on_paper(x[i], height=120))), "image/png") for i in range(n)]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.file_uploader[0].set_value(files).run()
    assert not at.exception
    assert any(f"{n} files: the first {widgets.MAX_FILES} are read, 2 more are not" in w.value for w in at.warning)
    # Each digit's label, or "—" where the detector calls the digit not a digit (one MNIST 1 here).
    verdicts = metric_values(at, "Verdict")
    expected = [str(label) if v == "digit" else "—" for label, v in zip(y[: widgets.MAX_FILES], verdicts, strict=True)]
    assert expected.count("—") <= 1
    assert metric_values(at, "Prediction") == expected
    assert len(calls) == widgets.MAX_FILES
    at.slider[0].set_value(30).run()
    assert not at.exception and metric_values(at, "Prediction") == expected
    assert len(calls) == widgets.MAX_FILES
    st.cache_data.clear()


def test_texture_is_said_and_long_strings_are_shown_in_part(classifier, mnist_test):
    """A lattice of 8,281 dots is "too much texture to read", said in one line; a string of 14 real
    digits is read whole, 12 of them shown one by one and the other 2 counted; a blank sheet of paper
    is "no ink found", in other words than the empty canvas's."""
    import streamlit as st
    from PIL import Image

    from digits.evaluation.benchmark_hostile import lattice
    from digits.ui.widgets import BLANK_PICTURE, EMPTY_CANVAS, MAX_DIGITS_SHOWN

    from helpers import png_bytes, string_on_paper

    st.cache_data.clear()
    x, y = mnist_test
    string = string_on_paper([x[i] for i in range(14)])
    paper = png_bytes(Image.new("L", (200, 120), 235))
    files = [
        ("dots.png", lattice(), "image/png"),
        ("string.png", png_bytes(Image.fromarray(string)), "image/png"),
        ("paper.png", paper, "image/png"),
    ]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert [i.value for i in at.info].count(EMPTY_CANVAS) == 1  # the draw tab, before any stroke
    at.file_uploader[0].set_value(files).run()
    assert not at.exception and not at.error
    assert [i.value for i in at.info].count(BLANK_PICTURE) == 1  # the blank sheet of paper
    assert [w.value for w in at.warning if "texture" in w.value] == [
        "Nothing read: too much texture to read: 8,281 separate marks, where a picture of digits has a few. "
        "Try a picture of the digits alone, on plain paper."
    ]
    number = metric_values(at, "Prediction")
    assert number == ["".join(str(d) for d in y[:14])]
    assert any(f"{14 - MAX_DIGITS_SHOWN} more digits, read but not shown" in c.value for c in at.caption)
    st.cache_data.clear()


def test_missing_model_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGIT_CANVAS_MODEL_DIR", str(tmp_path))  # an empty folder of models
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("cannot be loaded" in e.value for e in at.error)
    assert any("train.py" in i.value for i in at.info)


@pytest.fixture(autouse=True)
def fresh_cache():
    import streamlit as st

    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_every_network_and_why_it_answered(classifier, mnist_test):
    """An uploaded real digit, with both toggles on: every shipped network's reading of the same
    28x28 (the same as each network reads it outside the app), the occlusion map and the feature maps."""
    import streamlit as st
    from PIL import Image

    from digits.network.classifier import Classifier, shipped_models
    from digits.network.recognize import recognize_file

    from helpers import on_paper, png_bytes

    st.cache_data.clear()
    x, y = mnist_test
    data = png_bytes(Image.fromarray(on_paper(x[3], height=140)))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.file_uploader[0].set_value([("digit.png", data, "image/png")]).run()
    assert metric_values(at, "Prediction") == [str(y[3])]
    assert len(at.table) == 0 and not [c for c in at.get("vega_lite_chart") if "occlusion" in str(c.proto)]
    next(t for t in at.toggle if t.key.startswith("every-upload")).set_value(True).run()
    assert not at.exception
    table = at.table[0].value
    image = recognize_file(data, classifier)[0].whole.digit.image
    models = shipped_models()
    assert len(table) == len(models) >= 7
    for row, path in zip(table.itertuples(), models, strict=True):
        assert row.prediction == Classifier(path).read(image).label, row
    assert (table["prediction"] == y[3]).sum() >= len(models) - 1  # a clear digit: all or nearly all agree
    # One panel of the ten probabilities per network (in rows of columns, which a phone stacks).
    panels = [str(c.proto) for c in at.get("vega_lite_chart") if "probability" in str(c.proto)]
    for name in table.index:
        assert sum(name.split(" (")[0] in c for c in panels) == 1, name
    next(t for t in at.toggle if t.key.startswith("why-upload")).set_value(True).run()
    assert not at.exception
    charts = [str(c.proto) for c in at.get("vega_lite_chart")]
    assert any("comes from" in c and "drop in P(" in c for c in charts)
    assert sum("most active of" in c for c in charts) == 2  # the app network's two convolution blocks
    assert any("Zeiler & Fergus" in c.value for c in at.caption)
    st.cache_data.clear()


def test_inside_the_network_for_every_network():
    from digits.network.classifier import shipped_models
    from digits.network.report import MISTAKES_SHOWN

    at = AppTest.from_file(str(ROOT / "pages" / "2_Inside_the_network.py"), default_timeout=TIMEOUT).run()
    assert not at.exception and not at.warning
    names = at.selectbox[0].options
    assert len(names) == len(shipped_models()) >= 7
    for name in names:
        at.selectbox[0].select(name).run()
        assert not at.exception and not at.info, name
        assert [s.value for s in at.subheader][:2] == ["Layers", "Training"]
        assert len(at.get("image")) == MISTAKES_SHOWN, name
        assert metric_values(at, "Test accuracy")[0].endswith("%")
