"""The pages' charts, checked through the Vega-Lite specification Altair produces."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digits.ui.charts import (
    HIGHLIGHT,
    comparison_chart,
    network_panel,
    probability_chart,
    probability_spec,
    score_chart,
)


def data_of(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_probability_chart_highlights_the_top_digit():
    p = np.full(10, 0.05)
    p[7] = 0.55
    chart = probability_chart(p)
    rows = data_of(chart)
    assert [r["digit"] for r in rows] == [str(d) for d in range(10)]
    assert [r["top"] for r in rows] == [d == 7 for d in range(10)]
    with pytest.raises(ValueError):
        probability_chart(np.ones(9) / 9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=10, max_size=10), st.sampled_from(["Digit 1", "Calibrated"]))
def test_probability_spec_is_the_chart_with_these_probabilities(values, title):
    """The cheap spec (a cached template with the values put in) is what Altair builds for the
    same probabilities: same marks, encodings, title and data, whatever the values."""
    p = np.asarray(values)
    spec, built = probability_spec(p, title), probability_chart(p, title).to_dict()
    assert next(iter(spec["datasets"].values())) == data_of(probability_chart(p, title))
    spec.pop("datasets"), built.pop("datasets")
    spec.pop("data"), built.pop("data")  # the dataset's name is a hash of its values
    assert spec == built
    with pytest.raises(ValueError):
        probability_spec(np.ones(9) / 9)


def test_comparison_chart_puts_the_networks_side_by_side():
    plain = np.eye(10)[3] * 0.9 + 0.01  # confidently "3"
    flat = np.full(10, 0.1)
    chart = comparison_chart({"plain": plain, "ours": flat})
    rows = data_of(chart)
    assert len(rows) == 20
    assert {(r["network"], r["digit"]): r["probability"] for r in rows}[("plain", "3")] == pytest.approx(0.91)
    spec = chart.to_dict()
    assert spec["encoding"]["xOffset"]["field"] == "network"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["plain", "ours"]
    assert spec["encoding"]["color"]["scale"]["range"][0] == HIGHLIGHT
    with pytest.raises(ValueError, match="no probabilities"):
        comparison_chart({})
    with pytest.raises(ValueError, match="'ours'"):
        comparison_chart({"plain": plain, "ours": flat[:5]})


def test_network_panel_highlights_the_top_digit_under_a_two_line_title():
    """One network's panel: its ten probabilities, the top digit flagged, and a title in two lines
    (the parenthesis apart, so that it is not cut short; a blank second line otherwise, so that the
    panels of a row line up)."""
    p = np.eye(10)[7] * 0.9 + 0.01
    chart = network_panel("App network (CNN + outlier exposure)", p)
    rows = data_of(chart)
    assert [r["digit"] for r in rows] == [str(d) for d in range(10)]
    assert [r["top"] for r in rows] == [d == 7 for d in range(10)]
    assert chart.to_dict()["title"]["text"] == ["App network", "(CNN + outlier exposure)"]
    assert network_panel("LeNet-like", p).to_dict()["title"]["text"] == ["LeNet-like", " "]
    with pytest.raises(ValueError, match="'LeNet-like'"):
        network_panel("LeNet-like", p[:9])


def test_score_chart_marks_the_threshold():
    chart = score_chart({"digits": [0.001, 0.002, 0.01], "not digits": [0.5, 0.8]}, 0.05, "MSP")
    spec = chart.to_dict()
    bars, rule = spec["layer"]
    assert bars["encoding"]["x"]["scale"]["type"] == "log"  # all scores positive
    assert rule["mark"]["type"] == "rule"
    thresholds = [d for d in spec["datasets"].values() if d and "label" in d[0]]
    assert thresholds == [[{"score": 0.05, "label": "threshold"}]]
    shares = {}
    for row in next(d for d in spec["datasets"].values() if d and "share" in d[0]):
        shares[row["set"]] = shares.get(row["set"], 0) + row["share"]
    assert shares == pytest.approx({"digits": 1.0, "not digits": 1.0})
    with pytest.raises(ValueError):
        score_chart({}, 0.1, "MSP")


def test_boxes_picture_outlines_each_digit_where_it_was_found():
    from digits.ui.charts import BOX_COLOUR, boxes_picture

    picture = np.full((100, 200), 255, np.uint8)  # a thumbnail at half the input's size
    img = np.asarray(boxes_picture(picture, (200, 400), [(40, 40, 120, 160), (200, 40, 280, 160)], ["1", "7"]))
    assert img.shape == (100, 200, 3)
    blue = np.all(img == BOX_COLOUR, axis=-1)
    # The first box spans x 20..59, y 20..79 in the thumbnail: its edges are drawn, its inside is not.
    assert blue[50, 20] and blue[50, 59] and blue[79, 40] and not blue[50, 40]
    assert blue[50, 100] and blue[50, 139] and not blue[50, 120]  # the second box
    assert not blue[90, 170]  # nothing outside the boxes
    with pytest.raises(ValueError):
        boxes_picture(picture, (200, 400), [(0, 0, 1, 1)], [])


def test_results_csv_has_a_row_per_file_with_the_number_read(classifier, mnist_test):
    """Real readings (a two-digit string, one digit, a damaged file) as the upload tab's CSV."""
    import csv
    import io

    from PIL import Image

    from digits.network.recognize import recognize_file
    from digits.ui.charts import results_csv
    from digits.ui.wording import result_fields

    from helpers import on_paper, png_bytes, string_on_paper

    x, y = mnist_test
    files = {
        "pair.png": png_bytes(Image.fromarray(string_on_paper([x[0], x[1]]))),
        "one.png": png_bytes(Image.fromarray(on_paper(x[2], height=120))),
        "bad.png": b"not an image",
    }
    rows = []
    for name, data in files.items():
        result, error = recognize_file(data, classifier)
        rows.append({"file": name} | ({"error": error} if error else result_fields(result, classifier.temperature)))
    table = list(csv.DictReader(io.StringIO(results_csv(rows))))
    assert [r["file"] for r in table] == list(files)
    assert table[0]["number"] == f"{y[0]}{y[1]}" and table[1]["number"] == str(y[2])
    assert table[1]["label"] == str(y[2]) and table[1]["is_digit"] == "True"
    assert sum(float(table[1][f"p{d}"]) for d in range(10)) == pytest.approx(1.0, abs=1e-4)
    assert table[2]["note"] == rows[2]["error"] and table[2]["label"] == table[2]["p0"] == ""
    # A number with a rejected part: "?" in the number, as on the page.
    pair, _ = recognize_file(files["pair.png"], classifier)
    second = dataclasses.replace(pair.digits[1], reading=dataclasses.replace(pair.digits[1].reading, is_digit=False))
    mixed = dataclasses.replace(pair, digits=[pair.digits[0], second])
    (row,) = csv.DictReader(io.StringIO(results_csv([{"file": "pair.png"} | result_fields(mixed)])))
    assert row["number"] == f"{y[0]}?" and row["is_digit"] == "False"
    # One digit the detector rejects: no number, as the page's Prediction "—"; its top class stays in label.
    one, _ = recognize_file(files["one.png"], classifier)
    off = dataclasses.replace(one.digits[0], reading=dataclasses.replace(one.digits[0].reading, is_digit=False))
    rejected = dataclasses.replace(one, whole=off, digits=[off])
    (row,) = csv.DictReader(io.StringIO(results_csv([{"file": "one.png"} | result_fields(rejected)])))
    assert row["number"] == "—" and row["label"] == str(y[2]) and row["is_digit"] == "False"
    # The pair: no whole-picture reading (a number squeezed into one 28x28), each digit in the note.
    assert table[0]["label"] == table[0]["confidence"] == table[0]["p0"] == ""
    assert table[0]["is_digit"] == "True"
    assert [part.split()[0] for part in table[0]["note"].split("; ")] == [str(y[0]), str(y[1])]
    assert all(0.5 < float(part.split()[1]) <= 1 for part in table[0]["note"].split("; "))


def test_a_thin_crop_is_shown_in_a_square_tile():
    """A thin 1's crop (tall and narrow) is padded to a square before it is enlarged, its ink kept
    whole and centred, so that a column does not stretch it into a tile many times taller than wide."""
    from digits.ui.charts import enlarge

    one = np.zeros((60, 8), np.float32)
    one[:, 2:6] = 1.0
    tile = np.asarray(enlarge(one, 112, square=True))
    assert tile.shape == (112, 112)
    cols = np.flatnonzero(tile.max(0) > 0)
    assert len(cols) in (7, 8) and (tile[:, cols] == 255).all()  # the stroke, 4 px x 112/60, whole
    assert abs((cols[0] + cols[-1]) / 2 - 55.5) <= 2  # centred
    assert np.asarray(enlarge(one, 112)).shape == (112, 15)  # without: as it is


@pytest.mark.parametrize(("size", "longer"), [((28, 28), 240), ((28, 40), 240), ((300, 200), 300), ((3000, 4000), 480)])
def test_pictures_with_boxes_are_shown_at_a_readable_size(size, longer):
    """A 28x28 upload is enlarged (its boxes' labels and caption had a 28 px picture to sit on), a
    large photo reduced to fit a phone's column; the aspect ratio is kept."""
    from digits.ui.charts import display_size

    picture = np.zeros((*size, 3), np.uint8)
    shown = display_size(picture)
    assert max(shown.shape[:2]) == longer and shown.shape[2] == 3
    assert shown.shape[0] / shown.shape[1] == pytest.approx(size[0] / size[1], rel=0.05)


def test_favicon_is_a_light_seven_on_black():
    """The tab's icon is drawn locally (no request to a font server): light ink on black, in the
    MNIST polarity, at the asked size."""
    from digits.ui.charts import favicon

    img = np.asarray(favicon(64).convert("L"))
    assert img.shape == (64, 64)
    assert img[0, 0] == 0 and img.max() == 255
    assert 0.08 < (img > 127).mean() < 0.35  # a stroke, not a filled square
    assert favicon(64) is favicon(64)  # one object: Streamlit stores it once
