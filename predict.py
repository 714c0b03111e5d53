"""Read digits from image files with the committed model, as the app does.

Usage:
    python predict.py [--json] [--jobs N] [--model model/mnist_cnn.keras] IMAGE_OR_FOLDER...

A folder stands for the image files in it (png, jpg, jpeg, webp, bmp, gif, by name, sorted; not its
subfolders). For bulk reading, the files are read in batches by ``--jobs`` worker processes (default:
one per core), each with its own copy of the network; the results come out in the files' order, the
same as with ``--jobs 1``. At the end, the number of pictures and pictures per second go to standard
error.

With --json, one JSON object per file (JSON Lines), in order:
    {"file": str, "label": int | null, "confidence": float | null, "probabilities": [10 floats] | null,
     "raw_confidence": float | null, "temperature": float, "is_digit": bool, "ood_score": float | null,
     "number": str, "digits": [{"label": int, "confidence": float, "box": [x0, y0, x1, y1],
                                "is_digit": bool, "ood_score": float}, ...]}
label/confidence/probabilities read the whole image as one digit, calibrated with the model card's
temperature (raw_confidence is the softmax at temperature 1); is_digit and ood_score are the
"not a digit" detector's verdict and score (higher = less like a digit). number is the digits
read left to right as the app shows them: "?" for a part the detector calls not a digit, and "—"
when it calls every part so (a photo of a cat cut into three parts is no number "888"); digits gives
each part with its label, verdict and box in input pixels. A blank image gives
nulls, is_digit false, "" and [], and, when it holds ink in too many separate marks to be digits,
"texture": str last, saying so.
A file that cannot be read gives {"file": ..., "error": "reason"}; the other files are still
processed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from digits import cli

#: Files handed to a worker process at a time.
BATCH = 8


#: The command a user types, for the usage line and the one-line errors.
PROG = "predict.py"


def parse_args(argv=None) -> argparse.Namespace:
    from digits.network.classifier import default_model

    p = cli.parser(PROG, "Read handwritten digits from image files.")
    p.add_argument(
        "images", nargs="+", metavar="IMAGE", help="image files (png, jpg, webp, bmp, gif…) or folders of them"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per file (JSON Lines)")
    p.add_argument("--model", default=str(default_model()), help="the .keras model; its card is the .json beside it")
    p.add_argument(
        "--jobs", type=int, default=len(os.sched_getaffinity(0)), help="worker processes (1: read in this process)"
    )
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    return args


#: What is said of a folder without image files (one level only: subfolders are not searched).
NO_IMAGES = "no image files in this folder (subfolders are not searched)"


def expand(paths: list[str]) -> tuple[list[str], list[str]]:
    """Each folder in ``paths`` replaced by its image files (by suffix, sorted by name); files as given.

    Returns:
        ``(files, empty)``: the files to read, and the folders that hold no image file.
    """
    from pathlib import Path

    from digits.reading.decode import UPLOAD_TYPES

    out, empty = [], []
    for path in paths:
        if Path(path).is_dir():
            found = sorted(
                str(f) for f in Path(path).iterdir() if f.is_file() and f.suffix.lower().lstrip(".") in UPLOAD_TYPES
            )
            out += found
            if not found:
                empty.append(path)
        else:
            out.append(path)
    return out, empty


def describe(path: str, fields: dict) -> str:
    """One readable line for a file's result."""
    if "error" in fields:
        return f"{path}: error: {fields['error']}"
    if fields.get("texture"):
        return f"{path}: nothing read: {fields['texture']}"
    if fields["label"] is None:
        return f"{path}: nothing to read (blank image)"
    line = f"{path}: {fields['label']} (confidence {fields['confidence']:.1%})"
    if fields["is_digit"] is False:
        line = f"{path}: not a digit (OOD score {fields['ood_score']:.3g}); the softmax's top class {fields['label']}"
    from digits.ui.wording import NO_DIGIT

    parts = len(fields["digits"])
    if parts > 1:
        number = fields["number"]
        line += f"; {parts} parts, none a digit" if number == NO_DIGIT else f"; {parts} parts read as {number}"
    return line


_classifier = None


def _load(model: str) -> None:
    """A worker's start: load its own copy of the network (ONNX Runtime sessions are not shared
    across processes)."""
    global _classifier
    from digits.network.classifier import Classifier

    _classifier = Classifier(model)


def read_one(path: str) -> dict:
    """The result fields of one file (see the module docstring), with the worker's network."""
    from digits.network.recognize import recognize_file
    from digits.ui.wording import result_fields

    result, error = recognize_file(path, _classifier)
    if error:
        return {"file": path, "error": error}
    return {"file": path} | result_fields(result, _classifier.temperature)


def _workers(jobs: int, model: str):
    """A pool of ``jobs`` worker processes, each with its own network (:func:`_load`), as a context
    manager; for one job, a null context (None): the files are read in this process."""
    import contextlib

    if jobs == 1:
        return contextlib.nullcontext()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Fresh processes, not forks: a fork of this one would inherit ONNX Runtime's threads' locks.
    spawn = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=spawn, initializer=_load, initargs=(model,))


def main(argv=None) -> int:
    args = parse_args(argv)
    from digits.network.classifier import ModelCardError

    try:
        _load(args.model)  # here too: a bad model is one error before any worker starts
    except ModelCardError as e:
        return cli.fail(PROG, e, 2)
    paths, empty = expand(args.images)
    for folder in empty:
        fields = {"file": folder, "error": NO_IMAGES}
        print(json.dumps(fields) if args.json else describe(folder, fields), flush=True)
    failed = bool(empty)
    t0 = time.perf_counter()
    with _workers(min(args.jobs, max(1, len(paths) // BATCH)), args.model) as pool:
        results = pool.map(read_one, paths, chunksize=BATCH) if pool else map(read_one, paths)
        for fields in results:
            failed |= "error" in fields
            print(json.dumps(fields) if args.json else describe(fields["file"], fields), flush=True)
    seconds = time.perf_counter() - t0
    print(
        f"{len(paths)} picture{'' if len(paths) == 1 else 's'} in {seconds:.1f} s "
        f"({len(paths) / max(seconds, 1e-9):.1f} per second)",
        file=sys.stderr,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
