"""The load test's short version, as CI runs it: the real server, 5 protocol-level sessions for 30 s,
each reading a different real MNIST digit every 2 s (drawings and uploads in turn), no errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from digits.evaluation import load_client
from digits.evaluation.load_test import canvas_picture, cpu_seconds, paper_picture, rss_mib

from conftest import ROOT, mnist_dir


def test_five_sessions_for_thirty_seconds(tmp_path):
    out = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "digits.evaluation.load_test",
            "--data-dir",
            str(mnist_dir()),
            "--sessions",
            "5",
            "--duration",
            "30",
            "--json-out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    (level,) = json.loads(out.read_text())["levels"]
    assert level["errors"] == 0 and level["busy"] == 0, level["error_kinds"]
    # One reading per session every 2 s: about 75 in 30 s (the first of each session starts within 2 s).
    assert level["readings"] >= 60, level
    assert level["cpu_s_per_reading"] > 0 and level["memory_end_mib"] > 50
    assert "| 5 |" in run.stdout  # the README's table


def test_pictures_are_the_digits(mnist_test):
    """The drawings and uploads the sessions send are the MNIST digits themselves, as the canvas and a
    page would hold them: dark ink on white, the digit's shape kept."""
    import io

    from PIL import Image

    x, _ = mnist_test
    gray = canvas_picture(x[0])
    assert gray.shape == (280, 280) and gray.dtype == np.uint8 and gray[0, 0] == 255
    small = np.asarray(Image.fromarray(255 - gray[40:240, 40:240]).resize((28, 28), Image.BILINEAR), float)
    assert np.corrcoef(small.ravel(), x[0].ravel())[0, 1] > 0.95
    page = np.asarray(Image.open(io.BytesIO(paper_picture(x[0]))))
    assert page.shape == (240, 320) and page[0, 0] == 255 and page.min() < 50
    rgba = np.asarray(Image.open(io.BytesIO(load_client.canvas_png(gray))))
    assert rgba.shape == (280, 280, 4) and (rgba[..., 0] == gray).all() and (rgba[..., 3] == 255).all()


def test_server_cpu_and_memory_come_from_proc():
    import os

    assert cpu_seconds(os.getpid()) > 0 and rss_mib(os.getpid()) > 10
    assert cpu_seconds(None) == 0 and rss_mib(None) == 0
