"""predict.py on real files: digits, a blank image, an unreadable file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from digits.datasets.photos import photo
from digits.network.card import read_card
from digits.network.classifier import default_model
from predict import describe

from conftest import ROOT
from helpers import on_paper


def run_predict(*args):
    return subprocess.run(
        [sys.executable, "predict.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory, mnist_test):
    x, y = mnist_test
    d = tmp_path_factory.mktemp("predict")
    paths = {}
    for i in (0, 1, 2):  # a 7, a 2, a 1 as dark ink on white paper
        paths[f"digit{i}"] = d / f"digit{i}_{y[i]}.png"
        Image.fromarray(on_paper(x[i], height=120)).save(paths[f"digit{i}"])
    paths["blank"] = d / "blank.png"
    Image.new("RGB", (200, 200), "white").save(paths["blank"])
    paths["broken"] = d / "broken.jpg"
    paths["broken"].write_bytes(b"\xff\xd8\xff\xe0 definitely not a whole jpeg")
    paths["missing"] = d / "missing.png"
    paths["cat"] = d / "cat.jpg"
    Image.fromarray(photo("chelsea")).save(paths["cat"], quality=90)
    return paths, y


def test_json_lines(files):
    paths, y = files
    order = ["digit0", "blank", "broken", "digit1", "missing", "digit2", "cat"]
    card = read_card(default_model())
    temperature, threshold = card["calibration"]["temperature"], card["ood"]["threshold"]
    proc = run_predict("--json", *(paths[k] for k in order))
    assert proc.returncode == 1  # some files failed
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in lines] == [str(paths[k]) for k in order]
    by = dict(zip(order, lines, strict=True))
    for i in (0, 1, 2):
        r = by[f"digit{i}"]
        assert r["label"] == y[i]
        assert 0 < r["confidence"] <= 1 and len(r["probabilities"]) == 10
        assert sum(r["probabilities"]) == pytest.approx(1, abs=1e-4)
        assert r["confidence"] == pytest.approx(max(r["probabilities"]))
        assert r["temperature"] == temperature and 0 < r["raw_confidence"] <= 1
        assert r["is_digit"] is True and isinstance(r["ood_score"], float)
        assert r["number"] == str(y[i]) and len(r["digits"]) == 1
        assert list(r)[-2:] == ["number", "digits"]  # in the order the module docstring gives
        box = r["digits"][0]["box"]
        assert 0 <= box[0] < box[2] <= 400 and 0 <= box[1] < box[3] <= 300
        assert r["digits"][0]["is_digit"] is True and r["digits"][0]["label"] == y[i]
    assert by["blank"] == {
        "file": str(paths["blank"]),
        "label": None,
        "confidence": None,
        "probabilities": None,
        "raw_confidence": None,
        "temperature": temperature,
        "is_digit": False,
        "ood_score": None,
        "number": "",
        "digits": [],
    }
    cat = by["cat"]
    assert cat["label"] in range(10) and cat["is_digit"] is False and cat["ood_score"] > threshold
    # The number as the app shows it: no digit for a rejected part (a cat is no "888").
    rejected = [d["is_digit"] is False for d in cat["digits"]]
    if all(rejected):
        assert cat["number"] == "—"
    else:
        assert [c == "?" for c in cat["number"]] == rejected
    for bad in ("broken", "missing"):
        assert set(by[bad]) == {"file", "error"} and "\n" not in by[bad]["error"]


def test_readable_output_and_exit_zero(files):
    paths, y = files
    proc = run_predict(paths["digit0"], paths["blank"])
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{paths['digit0']}: {y[0]} (confidence")
    assert "nothing to read" in lines[1]
    # A cat is not a digit (the readable line and the JSON say the same).
    cat = run_predict(paths["cat"]).stdout.strip()
    fields = json.loads(run_predict("--json", paths["cat"]).stdout)
    assert cat == describe(str(paths["cat"]), {k: v for k, v in fields.items() if k != "file"})
    assert cat.startswith(f"{paths['cat']}: not a digit (OOD score")


def test_readable_line_says_what_the_app_shows():
    """A number of parts: the digits, "?" for a rejected part, and no number when every part is
    rejected (a cat cut into three parts is no "888")."""
    from digits.ui.wording import shown_number

    def fields(whole_is_digit, parts):
        digits = [{"label": label, "is_digit": ok, "confidence": 0.9, "box": [0, 0, 1, 1]} for label, ok in parts]
        return {
            "label": 8,
            "confidence": 0.9,
            "is_digit": whole_is_digit,
            "ood_score": 0.899,
            "digits": digits,
            "number": shown_number(digits),
        }

    assert describe("a.png", fields(True, [(8, True)])) == "a.png: 8 (confidence 90.0%)"  # one digit
    assert describe("b.png", fields(True, [(4, True), (2, True)])).endswith("; 2 parts read as 42")
    assert describe("c.png", fields(True, [(4, True), (8, False), (7, True)])).endswith("; 3 parts read as 4?7")
    cat = describe("d.png", fields(False, [(8, False)] * 3))
    assert cat == "d.png: not a digit (OOD score 0.899); the softmax's top class 8; 3 parts, none a digit"


def test_a_folder_is_read_file_by_file(files, tmp_path):
    """A folder stands for its image files, sorted by name (a text file beside them is not one)."""
    paths, y = files
    folder = tmp_path / "folder"
    folder.mkdir()
    for key in ("digit1", "digit0", "blank"):
        (folder / paths[key].name).write_bytes(paths[key].read_bytes())
    (folder / "notes.txt").write_text("not a picture")
    proc = run_predict("--json", folder)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in rows] == [
        str(folder / n) for n in sorted(["blank.png", paths["digit0"].name, paths["digit1"].name])
    ]
    assert [r["label"] for r in rows] == [None, y[0], y[1]]
    assert "3 pictures in" in proc.stderr and "per second" in proc.stderr


def test_bad_model_is_one_line_error(tmp_path, files):
    paths, _ = files
    proc = run_predict("--model", tmp_path / "none.keras", paths["digit0"])
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "No trained model" in proc.stderr


def test_worker_processes_give_the_same_results_in_order(tmp_path, mnist_test):
    """40 real digits on paper and an unreadable file, read by two worker processes in batches: the
    same lines, in the files' order, as one process gives."""
    x, y = mnist_test
    for i in range(40):
        Image.fromarray(on_paper(x[100 + i], height=100)).save(tmp_path / f"{i:02d}.png")
    (tmp_path / "99.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    one, two = run_predict("--json", "--jobs", 1, tmp_path), run_predict("--json", "--jobs", 2, tmp_path)
    assert one.returncode == two.returncode == 1  # the unreadable file
    assert one.stdout == two.stdout
    rows = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["file"] for r in rows] == [str(tmp_path / f"{i:02d}.png") for i in range(40)] + [str(tmp_path / "99.png")]
    assert sum(r.get("number") == str(y[100 + i]) for i, r in enumerate(rows[:40])) >= 38
    assert "error" in rows[-1] and "41 pictures in" in two.stderr


def test_a_folder_without_pictures_is_an_error(tmp_path, files):
    """A folder whose pictures are in subfolders reads nothing: said as an error, not a silent 0."""
    paths, y = files
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.png").write_bytes(paths["digit0"].read_bytes())
    proc = run_predict("--json", tmp_path, paths["digit1"])
    assert proc.returncode == 1
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows[0] == {"file": str(tmp_path), "error": "no image files in this folder (subfolders are not searched)"}
    assert rows[1]["label"] == y[1] and "1 picture in" in proc.stderr
