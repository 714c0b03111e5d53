"""The reading pipeline: from a picture to the 28x28 images a network trained on MNIST expects.

The stages, in the order a picture goes through them (no stage imports a later one):

    decode     -- bytes or a file to a PIL image: upload limits, EXIF orientation.
    ink        -- grayscale, background, polarity: light ink on a dark background, and its mask.
    segment    -- the ink split into digits, left to right.
    normalize  -- one digit made MNIST-like: stroke width, 20x20 box, centre of mass in 28x28.
    prepare    -- runs ink, segment and normalize in order, for the whole picture and each digit.

``boxes`` (bounding boxes of ink) is a helper that every stage may use.
"""
