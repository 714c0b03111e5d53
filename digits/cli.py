"""What the command-line tools share: the name in their usage line and their one-line error.

Every tool's ``main(argv)`` returns its exit status. Bad input (a missing data set, a damaged model
card, an unreadable file) ends it with one line on stderr in argparse's own form, ``PROG: error:
MESSAGE``, and status 1 (``predict.py``: 2, argparse's status for bad usage): never a traceback.
"""

from __future__ import annotations

import argparse
import sys


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """An argument parser whose usage line names the command a user types (``prog``, e.g.
    ``python -m digits.evaluation.report`` or ``train.py``) and whose help shows each option's default."""
    return argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )


def fail(prog: str, error: BaseException | str, status: int = 1) -> int:
    """Print ``PROG: error: ERROR`` on stderr, one line, and return ``status`` for ``main`` to return."""
    print(f"{prog}: error: {error}", file=sys.stderr)
    return status
