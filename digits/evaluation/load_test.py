"""Load test: the real server (``streamlit run app.py``) on the loopback, driven by many sessions.

Each session is a protocol-level client (:mod:`digits.evaluation.load_client`: Streamlit's own
protobuf messages over its WebSocket, and its upload endpoint), so that fifty sessions cost this
machine little beside the server they measure. Each session makes one reading every
``--interval`` seconds, as a person drawing stroke by stroke does, alternating canvas drawings and
uploads. Every reading uses a different MNIST test digit (a drawing: the digit as black ink on the
280x280 canvas; an upload: a PNG of it on a page), so the upload cache never answers.

Labels: a picture counts as known only if this code, run in this process beforehand, reads it as
its MNIST label and calls it a digit (the few that the network misreads or rejects even alone are
left out, and counted): so a
wrong label under load is the server's fault (a mix-up between sessions, a lost upload), not the
network's. An **error** is an exception, a timeout (``--timeout``) or a wrong label; a **busy** is
the page's "the server is busy ... try again" (no reading, but no hang). Latency runs from sending
the input (the canvas's state, or the upload's first request) to the run's ``script_finished``.
Server CPU is the server process's user and system time, with its children's (``/proc``); memory is
its resident set, with its children's.

Usage::

    python -m digits.evaluation.load_test --data-dir ../shared/data/mnist                  # 1 to 50 sessions
    python -m digits.evaluation.load_test --data-dir DIR --sessions 5 --duration 30        # CI's short run
    python -m digits.evaluation.load_test --data-dir DIR --sessions 20 --duration 300 --json-out F  # memory
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digits import cli
from digits.evaluation import load_client as client
from digits.network.report import png_bytes

ROOT = Path(__file__).resolve().parent.parent.parent
CANVAS = 280
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Task:
    """One reading to make: ``kind`` "draw" (``data``: the canvas PNG) or "upload" (a PNG file)."""

    kind: str
    label: int
    data: bytes
    index: int


#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.evaluation.load_test"


def _on_page(digit: np.ndarray, size: int, page: tuple[int, int], top: int, left: int) -> np.ndarray:
    """An MNIST digit scaled to ``size`` x ``size`` (bilinear) as dark ink on a white ``page``,
    its top-left corner at (``top``, ``left``); (H, W) uint8."""
    from skimage.transform import resize

    big = resize(digit.astype(np.float64) / 255.0, (size, size), order=1, anti_aliasing=False)
    out = np.zeros(page)
    out[top : top + size, left : left + size] = big
    return (255 - np.round(out * 255)).astype(np.uint8)


def canvas_picture(digit: np.ndarray) -> np.ndarray:
    """An MNIST digit as a drawing on the 280x280 canvas: black ink on white, about 200 px tall,
    centred (uint8)."""
    return _on_page(digit, 200, (CANVAS, CANVAS), 40, 40)


def paper_picture(digit: np.ndarray) -> bytes:
    """An MNIST digit as an uploaded PNG: dark ink on a white 240x320 page, 120 px tall."""
    return png_bytes(_on_page(digit, 120, (240, 320), 60, 100))


def make_tasks(data_dir: str | None, n: int, start: int = 0) -> tuple[list[Task], int]:
    """Up to ``n`` readings, drawings and uploads in turn, from MNIST test digits ``start``, ...,
    keeping only the pictures that this code reads as their label when alone and calls digits (the
    page's Prediction is "—" for a digit the detector rejects).

    Returns:
        ``(tasks, left_out)``: the tasks, and how many pictures were left out as misread or
        rejected alone.
    """
    from digits.datasets.mnist import load_mnist
    from digits.network.classifier import Classifier
    from digits.network.recognize import recognize, recognize_file

    _, (x, y) = load_mnist(data_dir)
    classifier = Classifier()
    tasks, left_out = [], 0
    for i in range(start, len(x)):
        if len(tasks) == n:
            break
        kind = "draw" if len(tasks) % 2 == 0 else "upload"
        if kind == "draw":
            gray = canvas_picture(x[i])
            result = recognize(np.dstack([gray] * 3 + [np.full_like(gray, 255)]), classifier, source="canvas")
            data = client.canvas_png(gray)
        else:
            data = paper_picture(x[i])
            result, _ = recognize_file(data, classifier)
        # The page shows "—" for a digit the detector rejects: such a picture is left out too.
        if result is None or result.number != str(y[i]) or any(d.reading.is_digit is False for d in result.digits):
            left_out += 1
            continue
        tasks.append(Task(kind, int(y[i]), data, i))
    return tasks, left_out


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children + [d for c in children for d in _descendants(c)]


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process, its live descendants, and its waited-for children
    (``/proc/PID/stat`` fields 14-17); 0 for ``pid`` None (a server that is not ours)."""
    if pid is None:
        return 0.0
    total = 0.0
    for i, p in enumerate([pid, *_descendants(pid)]):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11 : 15 if i == 0 else 13]) / TICKS
    return total


def rss_mib(pid: int | None) -> float:
    """Resident memory (MiB) of a process and its live descendants (``VmRSS``); 0 for ``pid`` None."""
    if pid is None:
        return 0.0
    total = 0
    for p in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, timeout_s: float = 60.0) -> subprocess.Popen:
    """``streamlit run app.py`` on the loopback, with the project's config; waits for its health check.

    Raises:
        RuntimeError: it ended or was not healthy within ``timeout_s``.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", f"--server.port={port}", "--server.address=127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server ended with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"the server was not healthy within {timeout_s:.0f} s")


@dataclass
class Level:
    """What happened at one number of sessions."""

    sessions: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    busy: int = 0
    readings: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    client_cpu: float = 0.0
    memory_start: float = 0.0
    memory_end: float = 0.0
    memory_samples: list[tuple[float, float]] = field(default_factory=list)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def row(self) -> dict:
        lat = sorted(self.latencies)
        done = max(1, self.readings)
        return {
            "sessions": self.sessions,
            "readings": self.readings,
            "readings_per_s": self.readings / self.seconds if self.seconds else 0.0,
            "p50_s": statistics.median(lat) if lat else None,
            "p95_s": lat[min(len(lat) - 1, int(np.ceil(0.95 * len(lat))) - 1)] if lat else None,
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
            "busy": self.busy,
            "cpu_s_per_reading": self.cpu / done,
            "client_cpu_s_per_reading": self.client_cpu / done,
            "memory_start_mib": round(self.memory_start, 1),
            "memory_end_mib": round(self.memory_end, 1),
            "memory_samples": self.memory_samples,
        }


async def _session(url: str, tasks, level: Level, stop_at: float, interval: float, phase: float, timeout: float):
    try:
        s = await asyncio.wait_for(client.open_session(url), timeout)
    except Exception as e:  # noqa: BLE001 -- any failure to connect is an error of the run
        level.error(f"connect: {type(e).__name__}")
        return
    try:
        await asyncio.sleep(phase)
        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            task = next(tasks, None)
            if task is None:
                level.error("out of pictures")
                return
            t0 = time.perf_counter()
            try:
                if task.kind == "draw":
                    coro = client.draw_png(s, task.data)
                else:
                    coro = client.upload(s, f"digit_{task.index}.png", task.data)
                prediction, _ = await asyncio.wait_for(coro, timeout)
                latency = time.perf_counter() - t0
                if any("busy" in a for a in client.alerts(s.last_msgs)):
                    level.busy += 1
                elif prediction != str(task.label):
                    level.error("wrong label")
                else:
                    level.latencies.append(latency)
                level.readings += 1
            except TimeoutError:
                level.error("timeout")
                return  # the session's socket is in an unknown state
            except Exception as e:  # noqa: BLE001 -- counted, the run goes on
                level.error(type(e).__name__)
                return
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    finally:
        await s.close()


async def _sample_memory(pid: int, level: Level, stop_at: float, every: float, t0: float) -> None:
    while time.monotonic() < stop_at:
        level.memory_samples.append((round(time.monotonic() - t0, 1), round(rss_mib(pid), 1)))
        await asyncio.sleep(every)


async def run_level(
    url: str,
    pid: int | None,
    sessions: int,
    tasks,
    duration: float,
    interval: float,
    timeout: float,
    sample_every: float,
) -> Level:
    """``sessions`` sessions for ``duration`` seconds against the server at ``url`` (process ``pid``)."""
    level = Level(sessions)
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=max(8, 2 * sessions)))
    level.memory_start = rss_mib(pid)
    cpu0, client0, t0 = cpu_seconds(pid), time.process_time(), time.monotonic()
    stop_at = t0 + duration
    rng = np.random.default_rng(sessions)
    await asyncio.gather(
        _sample_memory(pid, level, stop_at, sample_every, t0),
        *(
            _session(url, tasks, level, stop_at, interval, float(rng.uniform(0, interval)), timeout)
            for _ in range(sessions)
        ),
    )
    level.seconds = time.monotonic() - t0
    level.cpu = cpu_seconds(pid) - cpu0
    level.client_cpu = time.process_time() - client0
    level.memory_end = rss_mib(pid)
    return level


def table(rows: list[dict]) -> str:
    """The README's table (Markdown)."""
    out = [
        "| sessions | readings | readings/s | p50 latency | p95 latency | errors | busy | server CPU per reading "
        "(load client's) "
        "| server memory, start → end |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lat = "—" if r["p50_s"] is None else f"{r['p50_s'] * 1000:.0f} ms"
        p95 = "—" if r["p95_s"] is None else f"{r['p95_s'] * 1000:.0f} ms"
        out.append(
            f"| {r['sessions']} | {r['readings']} | {r['readings_per_s']:.2f} | {lat} | {p95} | {r['errors']} | "
            f"{r['busy']} | {r['cpu_s_per_reading']:.3f} s ({r['client_cpu_s_per_reading']:.3f} s) | "
            f"{r['memory_start_mib']:.0f} → {r['memory_end_mib']:.0f} MiB |"
        )
    return "\n".join(out)


def plot(rows: list[dict], path: Path) -> None:
    """Readings per second and p50/p95 latency against sessions, as a PNG (Altair, vl-convert)."""
    import altair as alt
    import pandas as pd

    long = []
    for r in rows:
        long.append({"sessions": r["sessions"], "measure": "readings per second", "value": r["readings_per_s"]})
        for q in ("p50", "p95"):
            if r[f"{q}_s"] is not None:
                long.append({"sessions": r["sessions"], "measure": f"{q} latency (s)", "value": r[f"{q}_s"]})
    df = pd.DataFrame(long)
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("sessions:Q", scale=alt.Scale(type="log"), axis=alt.Axis(values=[r["sessions"] for r in rows])),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("measure:N", legend=None),
            column=alt.Column("measure:N", title=None),
        )
        .resolve_scale(y="independent")
        .properties(width=260, height=200)
    )
    chart.save(str(path), scale_factor=1.5)


def main(argv=None) -> int:
    p = cli.parser(PROG, "Load test of the real server with protocol-level sessions (see the module docstring).")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR")
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20, 50], help="session counts, in turn")
    p.add_argument("--duration", type=float, default=60.0, help="seconds per session count")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between one session's readings")
    p.add_argument("--warmup", type=float, default=10.0, help="seconds of 2 sessions before measuring (not counted)")
    p.add_argument("--timeout", type=float, default=30.0, help="a reading slower than this is an error (s)")
    p.add_argument("--url", default=None, help="a running server to test instead of starting one (no CPU figures)")
    p.add_argument("--sample-every", type=float, default=5.0, help="server memory sampling period (s)")
    p.add_argument("--json-out", default=None, help="write every figure as JSON here")
    p.add_argument("--plot-out", default=None, help="write the plot (PNG) here")
    args = p.parse_args(argv)
    if min(args.sessions) < 1 or args.duration <= 0 or args.interval <= 0 or args.timeout <= 0:
        p.error("--sessions, --duration, --interval and --timeout must be positive")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError

    needed = sum(int(np.ceil(s * (args.duration / args.interval + 2))) for s in [2, *args.sessions])
    t0 = time.perf_counter()
    try:
        tasks, left_out = make_tasks(args.data_dir, min(needed, 9000))
    except DataError as e:
        return cli.fail(PROG, e)
    print(
        f"{len(tasks)} pictures ready in {time.perf_counter() - t0:.0f} s "
        f"({left_out} left out: misread or rejected even alone).",
        flush=True,
    )
    server = None
    try:
        if args.url:
            url, pid = args.url, None
        else:
            port = free_port()
            server = start_server(port)
            url, pid = f"http://127.0.0.1:{port}", server.pid
        it = iter(tasks)
        # Warm-up, not counted: the server's first runs import the app and load the networks.
        asyncio.run(run_level(url, pid, 2, it, args.warmup, args.interval, args.timeout, args.sample_every))
        rows = []
        for n in args.sessions:
            level = asyncio.run(
                run_level(url, pid, n, it, args.duration, args.interval, args.timeout, args.sample_every)
            )
            rows.append(level.row())
            r = rows[-1]
            print(
                f"{n} sessions: {r['readings']} readings, {r['readings_per_s']:.2f}/s, errors {r['errors']}"
                f"{' ' + str(r['error_kinds']) if r['error_kinds'] else ''}, busy {r['busy']}, "
                f"server CPU {r['cpu_s_per_reading']:.3f} s/reading",
                flush=True,
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    print()
    print(table(rows))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"args": vars(args), "left_out": left_out, "levels": rows}, indent=1))
    if args.plot_out:
        plot(rows, Path(args.plot_out))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
