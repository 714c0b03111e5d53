"""Digit Canvas: handwritten digit recognition on MNIST, with honest preprocessing.

Modules:
    data        -- read MNIST from IDX files (or the Keras downloader).
    model       -- the CNN architecture (logits out, ``features`` penultimate layer).
    preprocess  -- turn any picture into what an MNIST digit looks like.
    classifier  -- load the committed model and its card, run it, apply softmax.
    charts      -- Altair charts for the pages.
"""

__version__ = "0.1.0"
