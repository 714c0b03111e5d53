"""Speed of one reading, as the app does it: preprocessing, the network, the whole of it.

Prints median times over repeated runs for a 280x280 canvas drawing, a canvas with a digit that
runs off its edge (read both as it is and as running on past the edge), a 4-digit string and a
12-megapixel JPEG photo of a number on paper, made at full size
(:func:`digits.evaluation.people_set.full_size_photo`) and read from its bytes as an upload is
(decoding included), so that the cost of each step is visible, and of the "why it answered" views
of a canvas reading (occlusion map, feature maps) (the figures go in the README; there are no
timed tests).

Usage:
    python -m digits.evaluation.benchmark_speed --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

from digits import cli

#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.evaluation.benchmark_speed"


def median_ms(fn, repeat: int, clock=time.perf_counter, warm_up: bool = True) -> float:
    """Median time of ``repeat`` calls of ``fn()`` in milliseconds, after one warm-up call.

    Args:
        fn: what to time, called with no arguments.
        repeat: timed calls (>= 1).
        clock: seconds, as ``time.perf_counter`` (wall time) or ``time.process_time`` (this
            process's CPU time) gives them.
        warm_up: make the untimed first call (False: the caller has made it).
    """
    if warm_up:
        fn()
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return 1000 * statistics.median(times)


def main(argv=None) -> int:
    p = cli.parser(PROG, __doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--repeat", type=int, default=20, help="timed runs per figure")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.evaluation.people_set import full_size_photo, iter_people
    from digits.evaluation.robustness import build_set, source_split, variant_rng
    from digits.network.card import ModelCardError
    from digits.network.classifier import Classifier
    from digits.network.explain import feature_grid, occlusion_map
    from digits.network.recognize import recognize, recognize_file
    from digits.reading.decode import load_image
    from digits.reading.ink import WORK_SIZE
    from digits.reading.prepare import prepare

    try:
        classifier = Classifier()
        images, labels = source_split("test", args.data_dir)
    except (DataError, ModelCardError) as e:
        return cli.fail(PROG, e)
    samples = build_set(images, labels, n_per_variant=1, n_strings_per_length=1, seed=0)
    canvas = samples["canvas"][0].image
    edge = next(iter_people("canvas_edge", images, labels, 1, variant_rng(0, "people/canvas_edge"))).image
    string = next(s.image for s in samples["strings"] if len(s.label) == 4)
    photo, _ = full_size_photo(list(images[:3]), np.random.default_rng(0))
    x1 = np.zeros((1, 28, 28, 1), np.float32)

    import keras

    model = keras.models.load_model(classifier.model_path, compile=False)
    rows = [
        ("network, one 28x28 image (ONNX Runtime, as served)", lambda: classifier.logits(x1)),
        ("network, one image with Keras `model.predict` (for comparison)", lambda: model.predict(x1, verbose=0)),
    ]
    pictures = (
        ("canvas 280x280", canvas, "canvas"),
        ("canvas 280x280, two digits, one running off the edge", edge, "canvas"),
        ("4-digit string", string, "upload"),
    )
    for name, picture, source in pictures:
        rows.append((f"preprocessing, {name}", lambda p=picture, s=source: prepare(p, source=s)))
        rows.append((f"whole reading, {name}", lambda p=picture, s=source: recognize(p, classifier, source=s)))
    name = f"JPEG photo 4000x3000, {len(photo) / 1e6:.1f} MB"
    rows += [
        (f"decoding, {name}", lambda: load_image(photo, reduce_to=WORK_SIZE)),
        (f"preprocessing, {name}, decoding included", lambda: prepare(load_image(photo, reduce_to=WORK_SIZE))),
        (f"whole reading, {name}, from its bytes", lambda: recognize_file(photo, classifier)),
    ]
    seen = recognize(canvas, classifier, source="canvas").whole.digit.image
    rows += [
        ("occlusion map (100 occluded copies, one batch)", lambda: occlusion_map(classifier.probabilities, seen)),
        (
            "feature maps of both convolution blocks, as a grid",
            lambda: [feature_grid(m) for m in classifier.activations(seen).values()],
        ),
    ]
    print("| step | median time |\n| --- | ---: |")
    for name, fn in rows:
        print(f"| {name} | {median_ms(fn, args.repeat):.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
