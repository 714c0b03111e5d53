"""Digit Canvas: handwritten digit recognition on MNIST, with honest preprocessing.

The package in six parts, in the order a picture meets them (see the README's "Layout"):

    reading    -- the reading pipeline: decode, ink, segment, normalize, prepare (picture -> 28x28).
    network    -- the network: architecture, model card, classifier, OOD scores, detector, recognize.
    ui         -- what the pages show: Streamlit building blocks, charts, canvas fix, gallery, wording.
    datasets   -- MNIST, Fashion-MNIST, sample photos and generated non-digits (never committed).
    training   -- the training loop, the outlier-exposure pool, calibration fitting.
    evaluation -- metrics, the robustness and OOD evaluation sets, the benchmarks.

Beside them, ``cli`` holds what the command-line tools share (usage name, one-line errors).

The app, its pages and ``predict.py`` load only reading, network, ui, ``datasets.photos`` and
``cli``; ``tests/test_layout.py`` checks every allowed direction.
"""

__version__ = "0.1.0"
