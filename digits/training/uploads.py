"""Rendered training pictures as the app sees them: through the upload preprocessing, on every core.

Shared by :mod:`digits.training.printed`, :mod:`digits.training.bold` and
:mod:`digits.training.broken`, which render pictures and must give the network what the app really
gives it.
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Callable

import numpy as np

from digits.reading.prepare import prepare_batch


def each_drawn(
    digits: np.ndarray,
    labels: np.ndarray,
    n: int,
    seed: int,
    draw: Callable[[np.ndarray, np.random.Generator], np.ndarray],
) -> tuple[list[np.ndarray], np.ndarray]:
    """``n`` pictures, each ``draw(digit, rng)`` of an MNIST digit picked at random (with replacement).

    Args:
        digits: (N, 28, 28) uint8 MNIST *training* digits (ink = 255), N >= 1.
        labels: (N,) int, their labels.
        n: how many pictures (>= 0).
        seed: random seed; the same seed gives the same pictures (one generator: each pick, then
            whatever ``draw`` takes from it).
        draw: makes one (H, W) uint8 grey picture of a digit.

    Returns:
        ``(pictures, labels)``: the list of pictures, and (n,) int32 their digits' labels.
    """
    rng = np.random.default_rng(seed)
    pictures, out = [], np.zeros(n, np.int32)
    for i in range(n):
        j = int(rng.integers(len(digits)))
        out[i] = int(labels[j])
        pictures.append(draw(digits[j], rng))
    return pictures, out


def prepared(pictures: list[np.ndarray], labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pictures through the upload preprocessing (:func:`digits.reading.prepare.prepare_batch`),
    spread over the cores.

    Args:
        pictures: N uint8 pictures, (H, W) or (H, W, 3).
        labels: (N,) int32, their labels.

    Returns:
        ``(images, labels)``: (M, 28, 28, 1) float32 in [0, 1] (ink = 1) and (M,) int32, M <= N
        (a picture the preprocessing finds blank is dropped).
    """
    n = len(pictures)
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 8)
    if workers > 1 and n >= 100:  # the preprocessing is the slow part
        chunks = [pictures[i::workers] for i in range(workers)]
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(prepare_batch, chunks))
        images = np.zeros((n, *parts[0][0].shape[1:]), np.float32)
        kept = np.zeros(n, bool)
        for i, (x, k) in enumerate(parts):
            idx = np.arange(i, n, workers)
            kept[idx] = k
            images[idx[k]] = x
        images = images[kept]
    else:
        images, kept = prepare_batch(pictures)
    return images[..., None], np.asarray(labels, np.int32)[kept]
