"""The priors' replay gives what the app gives, and moves when a prior does."""

from __future__ import annotations

import pytest

from digits.evaluation.benchmark_robustness import people_answer
from digits.evaluation.tune_segmentation import answer, compare, main, parse_try, read_set, replay
from digits.network.recognize import recognize

from conftest import people_samples


@pytest.fixture(scope="module")
def read(classifier):
    samples = {
        "canvas_edge": people_samples("canvas_edge", set(range(6))),
        "broken_stroke": people_samples("broken_stroke", {0, 1, 143, 444}),
        "touching": people_samples("touching", set(range(4))),
    }
    return samples, read_set(samples, classifier)


def test_replay_reads_as_the_app_does(read, classifier):
    samples, hypotheses = read
    for name, rows in hypotheses.items():
        for s, (label, h) in zip(samples[name], rows, strict=True):
            app = recognize(s.image, classifier, source=s.params.get("source", "upload"))
            assert label == s.label and answer(h) == people_answer(app)


def test_a_prior_changed_in_the_replay_changes_the_answers(read):
    _, hypotheses = read
    base = replay(hypotheses)
    assert base["broken_stroke"][2:] == [True, True]  # broken 4s, read "4" thanks to BASELINE_COST
    without = replay(hypotheses, BASELINE_COST=0.0)
    # Without the prior some of them are read "11" (which ones is the network's call: both with the
    # deep ensemble, of the 500 validation-built broken strokes the only two the prior wins), and the
    # comparison counts them.
    pairs = list(zip(base["broken_stroke"], without["broken_stroke"], strict=True))
    lost = sum(b and not w for b, w in pairs)
    assert lost >= 1 and not any(w and not b for b, w in pairs)
    assert f"broken_stroke +0 -{lost}" in compare(base, without)
    assert replay(hypotheses) == base  # the module's value is back


def test_bad_tries_are_one_line_errors(capsys):
    with pytest.raises(ValueError, match="NAME one of"):
        parse_try("MERGE_GAP=0.3")  # changes the hypotheses: not replayable
    with pytest.raises(ValueError, match="numbers"):
        parse_try("MERGE_COST=a")
    assert main(["--try", "NOPE=1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: --try wants" in err
