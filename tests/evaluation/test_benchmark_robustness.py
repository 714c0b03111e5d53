"""Photo-like inputs with known labels: the robustness set read by the app's pipeline."""

from __future__ import annotations

from digits.evaluation.benchmark_robustness import evaluate, table
from digits.evaluation.robustness import VARIANTS, build_set, source_split

from conftest import mnist_dir


def test_robustness_set_is_read_and_beats_the_naive_way(classifier):
    images, labels = source_split("test", mnist_dir())
    samples = build_set(images, labels, n_per_variant=25, n_strings_per_length=6, seed=7)
    rows, per_sample = evaluate(samples, classifier)
    by_name = {r.name: r for r in rows}
    for variant in VARIANTS:
        row = by_name[variant]
        assert row.n == 25 and row.ours / row.n >= 0.88, (variant, row)
    singles = by_name["**all single digits**"]
    assert singles.n == 25 * len(VARIANTS) and singles.ours / singles.n >= 0.96
    assert singles.naive / singles.n < 0.7  # the naive way fails on photos, corners, colour, inversion
    for naive_fails in ("corner", "photo", "inverted", "colour"):
        assert by_name[naive_fails].naive / by_name[naive_fails].n < 0.5
    strings = by_name["**all strings**"]
    assert strings.n == 30 and strings.ours / strings.n >= 0.85 and strings.naive == 0
    assert len(per_sample["strings"]) == 30
    assert table(rows).count("\n") == len(rows) + 1


def test_people_set_is_read_and_beats_the_naive_way(classifier, tmp_path):
    """The table's rows, and the pictures read wrong written out (``failures``): one file per
    wrong answer, named by variant, index, label and answer, which reads to that answer again."""
    import numpy as np
    from PIL import Image

    from digits.evaluation.benchmark_robustness import evaluate_people, people_answer, people_table
    from digits.evaluation.people_set import HANDWRITING_VARIANT, NUMBER_VARIANTS, PEOPLE_VARIANTS, build_people_set
    from digits.network.recognize import recognize

    images, labels = source_split("test", mnist_dir())
    built = build_people_set(images, labels, n_per_variant=10, seed=7, handwriting=True)
    rows = evaluate_people(built, classifier, failures=tmp_path / "failures")
    wrong = sorted((tmp_path / "failures").iterdir())
    assert len(wrong) == sum(round(n * (1 - ours)) for name, n, ours, _, _ in rows if name != "**all**")
    for path in wrong[:3]:
        variant, index, label, answer = path.stem.rsplit("_", 3)
        sample = built[variant][int(index)]
        assert sample.label == label != answer
        picture = np.asarray(Image.open(path))
        assert np.array_equal(picture, sample.image)
        read = recognize(picture, classifier, source=sample.params.get("source", "upload"))
        assert (people_answer(read) or "blank") == answer
    # The handwriting typefaces come last, on their own row outside the total.
    assert [r[0] for r in rows] == [*PEOPLE_VARIANTS, "**all**", HANDWRITING_VARIANT]
    by_name = {r[0]: r for r in rows}
    for name, n, _ours, _naive, rejected in rows:
        assert n == (10 * len(PEOPLE_VARIANTS) if name == "**all**" else 10)
        assert 0 <= rejected <= 1
    for name in NUMBER_VARIANTS:
        if all(len(s.label) > 1 for s in built[name]):
            assert by_name[name][3] == 0  # the naive way reads one digit, never a number
    assert by_name["**all**"][2] >= 0.75 and by_name["**all**"][2] > by_name["**all**"][3] + 0.3
    assert people_table(rows).count("\n") == len(rows) + 1


def test_failures_are_written_for_the_validation_split_only():
    """Looking into the test-built set's failures would be tuning on it: refused in one line, as
    are counts that cannot make a table, and a failures directory with no pictures to fill it."""
    import pytest

    from digits.evaluation.benchmark_robustness import parse_args

    assert parse_args(["--split", "validation", "--failures", "out"]).failures == "out"
    no_people = ["--split", "validation", "--people", "0", "--failures", "out"]
    for bad in (
        ["--failures", "out"],
        no_people,
        ["--n", "-1"],
        ["--people", "-5"],
        ["--strings", "0"],
    ):  # test is the default
        with pytest.raises(SystemExit) as e:
            parse_args(bad)
        assert e.value.code == 2, bad
    assert parse_args(["--n", "0", "--strings", "0"]).n == 0  # the first table skipped
