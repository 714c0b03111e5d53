"""Train the app's MNIST CNN, or one of the classic networks, and write model/NAME.keras with its
card model/NAME.json and its served export model/NAME.onnx.

The first 55,000 training images train; the last 5,000 are the validation split, used for every
choice (epochs, augmentation). The 10,000 test images are evaluated once, at the end. The classic
networks (``--arch``, see digits/network/zoo.py) are trained with their tutorials' recipes.

Examples:
    python train.py --data-dir ../shared/data/mnist --epochs 20 --oe-weight 0.25   # the app's network
    python train.py --data-dir ../shared/data/mnist --arch lenet                   # a classic network
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from digits import cli

#: The command a user types, for the usage line and the one-line errors.
PROG = "train.py"


def parse_args(argv=None) -> argparse.Namespace:
    from digits.network.zoo import CLASSIC_NETWORKS

    p = cli.parser(PROG, "Train the Digit Canvas CNN on MNIST.")
    p.add_argument(
        "--arch",
        default="mnist_cnn",
        choices=("mnist_cnn", *CLASSIC_NETWORKS),
        help="the network: the app's CNN, or a classic network trained with its own recipe (its epochs, "
        "batch size and optimizer; the options below then apply only --seed, --data-dir, --out, --limit, --verbose)",
    )
    p.add_argument("--epochs", type=int, default=12, help="number of training epochs")
    p.add_argument("--batch-size", type=int, default=128, help="training batch size")
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (Adam, cosine decay)")
    p.add_argument("--seed", type=int, default=1, help="random seed (weights, shuffling, augmentation)")
    p.add_argument(
        "--data-dir",
        default=None,
        help="directory with the four MNIST IDX files; default: $MNIST_DIR, else download with Keras",
    )
    p.add_argument("--out", default="model", help="output directory for NAME.keras, NAME.json and NAME.onnx")
    p.add_argument("--limit", type=int, default=None, help="train on the first N training images only (smoke tests)")
    p.add_argument("--no-augment", action="store_true", help="disable shift/rotation/scale augmentation")
    p.add_argument(
        "--oe-weight",
        type=float,
        default=0.0,
        help="outlier exposure: loss weight of generated non-digits with uniform targets (0: off)",
    )
    p.add_argument(
        "--printed",
        type=int,
        default=0,
        help="add this many digits printed in the training font families (bold, outline, plates) (0: none)",
    )
    p.add_argument(
        "--bold",
        type=int,
        default=0,
        help="add this many MNIST training digits re-drawn with a broad pen (bold, filling the picture) (0: none)",
    )
    p.add_argument(
        "--broken",
        type=int,
        default=0,
        help="add this many MNIST training digits with a gap cut across one stroke (a pen that skipped) (0: none)",
    )
    p.add_argument(
        "--elastic", action="store_true", help="add elastic distortion (Simard et al. 2003) to the augmentation"
    )
    p.add_argument("--stroke-width", action="store_true", help="add random thinning and thickening of the strokes")
    p.add_argument(
        "--init",
        default=None,
        help="fine-tune: start from this saved app network (NAME.keras with its card) instead of new weights",
    )
    p.add_argument(
        "--wise",
        type=float,
        default=None,
        metavar="ALPHA",
        help="with --init: end at (1 - ALPHA) x the --init weights + ALPHA x the fine-tuned ones "
        "(weight-space ensembling, WiSE-FT; Wortsman et al. 2022)",
    )
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="Keras verbosity (1 = progress bar)")
    args = p.parse_args(argv)
    if (
        args.epochs < 1
        or args.batch_size < 1
        or (args.limit is not None and args.limit < 1)
        or args.oe_weight < 0
        or args.printed < 0
        or args.bold < 0
        or args.broken < 0
    ):
        p.error(
            "--epochs, --batch-size and --limit must be positive, --oe-weight, --printed, --bold and --broken "
            "not negative"
        )
    if args.init is not None:
        if args.arch != "mnist_cnn":
            p.error("--init fine-tunes the app's network (--arch mnist_cnn) only")
        if Path(args.init).resolve() == (Path(args.out) / "mnist_cnn.keras").resolve():
            p.error("--init would be overwritten by the network it starts: give another --out")
    if args.wise is not None and (args.init is None or not 0.0 <= args.wise <= 1.0):
        p.error("--wise needs --init and a weight in [0, 1]")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.network.card import ModelCardError
    from digits.network.zoo import CLASSIC_NETWORKS
    from digits.training.loop import train, train_classic

    try:
        if args.arch in CLASSIC_NETWORKS:
            card = train_classic(
                CLASSIC_NETWORKS[args.arch],
                seed=args.seed,
                data_dir=args.data_dir,
                out_dir=Path(args.out),
                limit=args.limit,
                verbose=args.verbose,
            )
        else:
            card = train(
                epochs=args.epochs,
                batch_size=args.batch_size,
                lr=args.lr,
                seed=args.seed,
                data_dir=args.data_dir,
                out_dir=Path(args.out),
                limit=args.limit,
                augment=not args.no_augment,
                oe_weight=args.oe_weight,
                printed=args.printed,
                bold=args.bold,
                broken=args.broken,
                elastic=args.elastic,
                stroke_width=args.stroke_width,
                init=None if args.init is None else Path(args.init),
                wise=args.wise,
                verbose=args.verbose,
            )
    except (DataError, ModelCardError, OSError, ValueError) as e:
        return cli.fail(PROG, e)
    print(
        f"test accuracy {card['test_accuracy']:.4f}, validation accuracy {card['val_accuracy']:.4f}, "
        f"{card['training_seconds']:.0f} s; wrote {Path(args.out) / card['model_file']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
