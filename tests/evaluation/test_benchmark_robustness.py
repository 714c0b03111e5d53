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


def test_people_set_is_read_and_beats_the_naive_way(classifier):
    from digits.evaluation.benchmark_robustness import evaluate_people, people_table
    from digits.evaluation.people_set import HANDWRITING_VARIANT, NUMBER_VARIANTS, PEOPLE_VARIANTS, build_people_set

    images, labels = source_split("test", mnist_dir())
    built = build_people_set(images, labels, n_per_variant=10, seed=7, handwriting=True)
    rows = evaluate_people(built, classifier)
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
