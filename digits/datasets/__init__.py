"""Data sets for training and measuring, read from disk or generated; never committed.

mnist         -- MNIST from its four IDX files (``--data-dir`` or ``$MNIST_DIR``), the splits.
fashion_mnist -- Fashion-MNIST (evaluation only), from Debian's ``dataset-fashion-mnist``.
photos        -- scikit-image's sample photos: the one loader of the gallery and the OOD photos.
outliers      -- generated non-digits (noise, blobs, shapes, scribbles, cut-up digits, letters).
"""
