"""Training: the network's training loop and everything fitted after it into the model card.

loop          -- trains the CNN on MNIST (``train.py`` calls it), then calibrates it.
outlier_pool  -- generated non-digits: the tuning set and the outlier-exposure pool.
fitting       -- temperature, Mahalanobis parameters, standardizer, threshold (pure numpy/scipy).
calibration   -- fits those into a model's card (``python -m digits.training.calibration``).
"""
