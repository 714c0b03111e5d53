"""Digit Canvas: handwritten digit recognition on MNIST, with honest preprocessing.

Modules:
    data                  -- read MNIST from IDX files (or the Keras downloader).
    preprocess            -- turn any picture into what an MNIST digit looks like.
    segment               -- split ink into digits, left to right.
    model, training       -- the CNN (logits out, ``features`` penultimate layer) and its training.
    card                  -- the model card: config, figures, SHA-256 check.
    classifier            -- load the committed model with its card, run it, apply the softmax.
    ood, detector         -- out-of-distribution scores, and the "not a digit" verdict from the card.
    calibration           -- fit temperature, score and threshold into the card.
    recognize             -- preprocessing plus classifier: what the app and the CLI call.
    outliers, robustness  -- generated non-digits, and realistic renderings of MNIST digits.
    evaluate_ood, benchmark_robustness, benchmark_speed -- measurement scripts (python -m ...).
    charts, gallery, ui, canvas_fix -- what the pages show (ui and canvas_fix use Streamlit).
"""

__version__ = "0.1.0"
