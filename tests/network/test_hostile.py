"""Hostile and unusual input, as a table (issue 16): every file gets the right reading or a clear
one-line answer, through the same entry point as the app's uploads and ``predict.py``
(:func:`digits.network.recognize.recognize_file`). None raises. (Their time is measured by
``python -m digits.evaluation.benchmark_hostile``, not here.)"""

from __future__ import annotations

import pytest

from digits.evaluation.benchmark_hostile import CASE_NAMES, cases
from digits.network.recognize import recognize_file


@pytest.fixture(scope="module")
def table(mnist_test):
    x, y = mnist_test
    return cases(x[0], x[1]), str(y[0])


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("name", CASE_NAMES)
def test_hostile_input_gets_a_reading_or_one_clear_line(name, table, classifier):
    assert set(CASE_NAMES) == set(table[0])
    data, expected = table[0][name]
    result, error = recognize_file(data, classifier)
    if expected.startswith("error:"):
        assert result is None and error is not None, f"{name}: no error"
        assert "\n" not in error and expected[6:] in error and "Traceback" not in error, error
        return
    assert error is None, f"{name}: {error}"
    if expected == "label":
        assert result.number == table[1], name
    elif expected == "blank":
        assert result.blank and result.texture is None, name
    elif expected == "texture":
        assert result.blank and "too much texture" in result.texture and "\n" not in result.texture
        assert "8,281 separate marks" in result.texture
    else:
        assert result.blank or result.number.isdigit()
