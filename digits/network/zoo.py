"""The classic MNIST networks, side by side with the app's: what each is and how it is trained.

Plain data, no Keras: the app, the tests and the README read it; :mod:`digits.network.architecture`
builds the Keras models from it and ``train.py --arch NAME`` trains them with their recipe.

Each classic network takes (N, 28, 28, 1) float32 in [0, 1] with ink = 1 and outputs (N, 10) logits.
Each is trained on digits alone (the first 55,000 training images, the last 5,000 validate), with
its tutorial's recipe: Keras defaults, no augmentation, "valid" convolutions. ``must_reach`` is the
project's target test accuracy; ``reported`` what its source reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: The recipes' optimizers, by their names in the table.
OPTIMIZER_TITLES = {"adam": "Adam", "rmsprop": "RMSprop"}


@dataclass(frozen=True)
class Recipe:
    """How a classic network is trained: ``optimizer`` ("adam" or "rmsprop", Keras defaults
    otherwise) at learning rate ``lr``, ``epochs`` passes in batches of ``batch_size``, no
    augmentation."""

    optimizer: str
    lr: float
    epochs: int
    batch_size: int

    @property
    def optimizer_title(self) -> str:
        """The optimizer's name as Keras writes it ("Adam", "RMSprop")."""
        return OPTIMIZER_TITLES[self.optimizer]

    def to_card(self) -> dict:
        return asdict(self) | {"augment": False, "loss": "sparse categorical cross-entropy on logits"}


@dataclass(frozen=True)
class NetworkSpec:
    """One classic network.

    Attributes:
        name: the file stem (``model/NAME.keras``) and ``train.py --arch`` value.
        title: the display name.
        layers: the architecture, one entry per layer as in the issue's table
            (e.g. ``"Conv 32 5x5 ReLU"``, ``"MaxPool 2"``, ``"Dropout 0.25"``, ``"Dense 10"``).
        recipe: the training recipe.
        reported: the test accuracy its source reports, as text ("" when none).
        must_reach: the project's target test accuracy, in [0, 1].
    """

    name: str
    title: str
    layers: tuple[str, ...]
    recipe: Recipe
    reported: str
    must_reach: float

    @property
    def architecture(self) -> str:
        """The layers joined by arrows, as the README's table writes them."""
        return " → ".join(self.layers)


CLASSIC_NETWORKS: dict[str, NetworkSpec] = {
    spec.name: spec
    for spec in (
        NetworkSpec(
            "softmax_regression",
            "Softmax regression",
            ("Flatten", "Dense 10"),
            Recipe("adam", 1e-3, 10, 128),
            "",
            0.920,
        ),
        NetworkSpec(
            "mlp",
            "Multilayer perceptron",
            ("Flatten", "Dense 512 ReLU", "Dropout 0.2", "Dense 512 ReLU", "Dropout 0.2", "Dense 10"),
            Recipe("adam", 1e-3, 10, 128),
            "97.46% after 4 epochs (a Keras MLP tutorial)",
            0.975,
        ),
        NetworkSpec(
            "lenet",
            "LeNet-like",
            (
                "Conv 6 3x3 ReLU",
                "AvgPool 2",
                "Conv 16 3x3 ReLU",
                "AvgPool 2",
                "Conv 120 3x3 ReLU",
                "Flatten",
                "Dense 84 ReLU",
                "Dense 10",
            ),
            Recipe("rmsprop", 1e-3, 10, 128),
            "— (a Keras LeNet tutorial)",
            0.985,
        ),
        NetworkSpec(
            "simple_cnn",
            "Simple CNN",
            ("Conv 32 5x5 ReLU", "MaxPool 2", "Dropout 0.3", "Flatten", "Dense 128 ReLU", "Dense 10"),
            Recipe("adam", 1e-3, 10, 200),
            "99.11% (a Keras CNN tutorial)",
            0.989,
        ),
        NetworkSpec(
            "two_conv_cnn",
            "Two-convolution CNN",
            (
                "Conv 32 5x5 ReLU",
                "MaxPool 2",
                "Dropout 0.25",
                "Conv 64 5x5 ReLU",
                "MaxPool 2",
                "Dropout 0.25",
                "Flatten",
                "Dense 1000 ReLU",
                "Dropout 0.5",
                "Dense 10",
            ),
            Recipe("adam", 1e-3, 10, 128),
            "99.42% (Goody7/MNIST_CNN on GitHub)",
            0.992,
        ),
    )
}

#: Display names of the two networks that are not classic: the app's and the plain baseline.
OWN_NETWORKS = {"mnist_cnn": "App network (2 CNNs + outlier exposure)", "baseline_cnn": "Plain CNN (baseline)"}


def title(name: str) -> str:
    """The display name of a shipped network (its file stem when it is not a known one)."""
    if name in CLASSIC_NETWORKS:
        return CLASSIC_NETWORKS[name].title
    return OWN_NETWORKS.get(name, name)
