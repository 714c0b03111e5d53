"""The network: its architecture, its model card, the classifier that runs it, and the verdict.

architecture -- the CNN (Keras): (N, 28, 28, 1) in [0, 1] to (N, 10) logits; used by training.
card         -- the model card beside each model file: figures, settings, SHA-256 check.
scores       -- out-of-distribution scores computed on every reading (MSP, energy, Mahalanobis).
detector     -- the "not a digit" verdict: the card's score and threshold.
classifier   -- loads a model with its card, runs it, applies the softmax and the detector.
recognize    -- a picture read through the reading pipeline and the classifier: what the app
                and the command line call.
"""
