"""The scale-out recipe (deploy/), tested without containers: Debian's nginx on the loopback, with
deploy/nginx/digit-canvas.conf as it is (only its "# test:" lines rewritten), in front of two
`streamlit run` processes; and the Docker image's package list, by running every page with the
packages it leaves out blocked."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT
from helpers import on_paper

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TIMEOUT_S = 60


def excluded_packages() -> list[str]:
    """The requirements the Dockerfile leaves out (its ``grep -v -E '^(a|b)=='``)."""
    text = (DEPLOY / "Dockerfile").read_text()
    (names,) = re.findall(r"grep -v -E '\^\(([a-z0-9_|-]+)\)==' requirements\.txt", text)
    return names.split("|")


def test_dockerfile_serves_what_the_app_needs():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "/_stcore/health" in text and "HEALTHCHECK" in text
    assert "COPY model/ model/" in text and "COPY pages/ pages/" in text and "COPY digits/ digits/" in text
    pinned = {line.split("==")[0] for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line}
    assert set(excluded_packages()) <= pinned and "onnxruntime" not in excluded_packages()


BLOCKED_RUN = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not in the served image")
sys.meta_path.insert(0, Block())
from streamlit.testing.v1 import AppTest
for page in sys.argv[2:]:
    at = AppTest.from_file(page, default_timeout=120).run()
    assert not at.exception, (page, [e.value for e in at.exception])
    assert not at.error, (page, [e.value for e in at.error])
    print(page, "ok")
"""


def test_every_page_runs_without_the_training_packages():
    """What the Docker image leaves out (TensorFlow, Keras, tf2onnx, onnx) is never needed to serve."""
    blocked = {name.replace("-", "_") for name in excluded_packages()}
    pages = [str(ROOT / "app.py"), *sorted(str(p) for p in (ROOT / "pages").glob("*.py"))]
    run = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN, ",".join(sorted(blocked)), *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.count(" ok") == len(pages)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(folder: Path, http: int, https: int, replicas: list[int]) -> Path:
    """deploy/nginx/digit-canvas.conf with its "# test:" lines pointed at the loopback, inside a
    main configuration that keeps every file nginx writes in ``folder`` and logs each request's
    upstream and affinity cookie."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    replaced = {
        "replicas": "".join(f"server 127.0.0.1:{p}; " for p in replicas),
        "http": f"listen 127.0.0.1:{http};",
        "https": f"listen 127.0.0.1:{https} ssl;",
        "certificate": f"ssl_certificate {cert};",
        "key": f"ssl_certificate_key {key};",
    }
    lines = []
    for line in (DEPLOY / "nginx" / "digit-canvas.conf").read_text().splitlines():
        mark = re.search(r"# test: (\w+)$", line)
        lines.append(line if mark is None else "    " + replaced[mark.group(1)])
    (folder / "site.conf").write_text("\n".join(lines) + "\n")
    main = folder / "nginx.conf"
    main.write_text(
        f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format affinity '$upstream_addr $cookie_dc_affinity $request_method $uri $status';
    access_log {folder}/access.log affinity;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    types {{ text/html html; }}
    include {folder}/site.conf;
}}
"""
    )
    return main


def wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process ended with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """Two replicas of the app behind nginx; yields ``(https URL, access log path)``."""
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail(f"nginx is missing at {NGINX}")
        pytest.skip(f"needs Debian's nginx at {NGINX}")
    folder = tmp_path_factory.mktemp("nginx")
    replicas = [_free_port(), _free_port()]
    http, https = _free_port(), _free_port()
    processes = []
    try:
        for port in replicas:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "streamlit",
                        "run",
                        "app.py",
                        f"--server.port={port}",
                        "--server.address=127.0.0.1",
                        "--server.headless=true",
                    ],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        config = nginx_config(folder, http, https, replicas)
        check = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(folder)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        processes.append(subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder), "-g", "daemon off;"]))
        for port, process in zip(replicas, processes, strict=False):
            wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", process)
        yield f"https://localhost:{https}", folder / "access.log", replicas
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def replicas_of(log: Path) -> dict[str, set[str]]:
    """Affinity cookie -> the upstreams its requests went to (requests that carried the cookie)."""
    seen: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        upstream, cookie, *_ = line.split()
        if cookie != "-" and upstream != "-":
            seen.setdefault(cookie, set()).add(upstream)
    return seen


@pytest.mark.browser
def test_two_sessions_through_the_proxy_stay_on_their_own_replicas(proxy, tmp_path, mnist_test):
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, PREDICTION, SEVEN, draw, open_canvas, wait_for

    url, log, replicas = proxy
    x, y = mnist_test
    picture = tmp_path / "digit.png"
    Image.fromarray(on_paper(x[0], height=150)).save(picture)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sessions = {}  # replica -> (context, page, cookie)
        for _ in range(12):  # new browsers until both replicas have one (each lands on one at random)
            context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            open_canvas(page, url)
            (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "dc_affinity"]
            (replica,) = replicas_of(log)[cookie]
            if replica in sessions:
                context.close()
                continue
            sessions[replica] = (context, page, cookie)
            if len(sessions) == 2:
                break
        assert sorted(sessions) == sorted(f"127.0.0.1:{r}" for r in replicas)
        for _, page, _ in sessions.values():
            assert draw(page, SEVEN) == "7"
            page.get_by_role("tab", name="Upload").click()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(picture))
            wait_for(page, lambda pg=page: pg.locator(PREDICTION).count() >= 1, "the upload's reading")
            assert page.locator(PREDICTION).first.inner_text() == str(y[0])
            assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    # Every request of each session (page, WebSocket, upload) went to its own replica, and the
    # WebSocket and the upload did go through the proxy.
    seen = replicas_of(log)
    text = log.read_text()
    for replica, (_, _, cookie) in sessions.items():
        assert seen[cookie] == {replica}
        assert re.search(rf"{re.escape(replica)} {cookie} GET /_stcore/stream 101", text)
        assert re.search(rf"{re.escape(replica)} {cookie} PUT /_stcore/upload_file/\S+ 20\d", text)
