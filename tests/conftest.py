"""Shared fixtures: the real MNIST (from $MNIST_DIR or ../shared/data/mnist) and the committed model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def mnist_dir() -> Path:
    return Path(os.environ.get("MNIST_DIR") or ROOT.parent / "shared" / "data" / "mnist")


def people_samples(variant: str, wanted: set[int]) -> list:
    """The samples numbered ``wanted`` (in that order) of one "as people make them" variant,
    validation split, seed 0."""
    from digits.evaluation.people_set import iter_people
    from digits.evaluation.robustness import source_split, variant_rng

    samples = iter_people(
        variant, *source_split("validation", mnist_dir()), max(wanted) + 1, variant_rng(0, f"people/{variant}")
    )
    return [s for i, s in enumerate(samples) if i in wanted]


@pytest.fixture(scope="session")
def mnist():
    """``(x_train, y_train), (x_test, y_test)`` of the real MNIST; skipped nowhere: CI has the data."""
    from digits.datasets.mnist import load_mnist

    return load_mnist(mnist_dir())


@pytest.fixture(scope="session")
def mnist_test(mnist):
    return mnist[1]


@pytest.fixture(scope="session")
def classifier():
    from digits.network.classifier import Classifier

    return Classifier()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def copy_app_model(folder: Path, name: str = "mnist_cnn.keras") -> Path:
    """A copy of the app's network in ``folder`` as ``name``, with its served export beside it (the
    card is left to the caller); returns the ``.keras`` path."""
    from digits.network.card import served_path_for
    from digits.network.classifier import default_model

    model = folder / name
    shutil.copy(default_model(), model)
    shutil.copy(served_path_for(default_model()), served_path_for(model))
    return model


@pytest.fixture
def models(tmp_path, monkeypatch):
    """A folder of models the app reads instead of model/: a copy of the committed one."""
    for path in (ROOT / "model").iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("DIGIT_CANVAS_MODEL_DIR", str(tmp_path))

    import streamlit as st

    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()
