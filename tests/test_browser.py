"""Real-browser tests: `streamlit run app.py` driven by Debian's chromium through Playwright.

They draw digits with the mouse and read the "Prediction" metric, start a stroke in each corner of
the canvas by mouse and by touch (phone-sized viewport, Chromium's Input.dispatchTouchEvent), upload
files, and open the non-digit page. Screenshots go to tests/artifacts/screenshots/ (ignored by git), so
that the tests leave the tracked tree unchanged; with UPDATE_SCREENSHOTS=1 they are also copied to
docs/screenshots/ (shown in the README).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT
from helpers import on_paper

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PUBLISHED = ROOT / "docs" / "screenshots"

# Playwright's CSS selectors pierce the canvas component's open shadow root.
UPPER_CANVAS = "canvas.dc-canvas.upper-canvas"
TOOLBAR = ".dc-toolbar"
UNDO = '.dc-toolbar button[aria-label="Undo"]'
CLEAR = '.dc-toolbar button[aria-label="Reset canvas & history"]'
FIX_STYLE = "style[data-keep-toolbar-clear]"
PREDICTION = '[data-testid="stMetric"]:has(:text-is("Prediction")):visible [data-testid="stMetricValue"]'
PLAIN_CONFIDENCE = '[data-testid="stMetric"]:has-text("Its softmax confidence"):visible [data-testid="stMetricValue"]'
VERDICT = '[data-testid="stMetric"]:has-text("Verdict"):visible [data-testid="stMetricValue"]'
# The drawing layer is ready once its lower canvas shows the opaque background: fabric paints it and
# sets up the drawing tool in the same synchronous step.
CANVAS_READY_JS = """() => {
  const host = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
      .find(h => h.shadowRoot && h.shadowRoot.querySelector('canvas.dc-canvas.lower-canvas'));
  if (!host) return false;
  const canvas = host.shadowRoot.querySelector('canvas.dc-canvas.lower-canvas');
  return canvas.getContext('2d').getImageData(0, 0, 1, 1).data[3] === 255;
}"""
TIMEOUT_S = 30

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):  # in CI a missing browser fails the tests
    pytestmark = [pytestmark, pytest.mark.skip(reason=f"needs Debian's chromium at {CHROMIUM}")]


def screenshot(page, name: str, full_page: bool = False) -> None:
    """Save a screenshot of ``page`` under tests/artifacts/screenshots/; with UPDATE_SCREENSHOTS=1 also
    copy it to docs/screenshots/, where the README shows it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        shutil.copy(path, PUBLISHED / name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port)],
        cwd=ROOT,
        env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def open_canvas(page, url: str) -> None:
    """Load the app and wait until the canvas accepts strokes."""
    page.goto(url)
    page.locator(UPPER_CANVAS).wait_for(timeout=90_000)
    page.locator(FIX_STYLE).wait_for(state="attached")
    page.wait_for_function(CANVAS_READY_JS)
    page.locator(UPPER_CANVAS).scroll_into_view_if_needed()


def prediction(page) -> str | None:
    """The shown "Prediction" value, or None; never waits (a rerun may replace the element)."""
    values = page.locator(PREDICTION).all_inner_texts()
    return values[0] if values else None


def wait_for(page, condition, what: str) -> None:
    """Poll until ``condition()`` holds: a stroke reaches Python after the canvas's 200 ms debounce
    and a rerun, so there is no single DOM event to wait for. Then wait for the run to finish."""
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (prediction {prediction(page)!r})")
        page.wait_for_timeout(100)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def wait_for_prediction(page, expected: str | None = None, before: str | None = None) -> str:
    def ready():
        p = prediction(page)
        return p is not None and (expected is None or p == expected) and (before is None or p != before)

    try:
        wait_for(page, ready, f"prediction {expected!r}")
    except AssertionError:
        if expected is None:
            raise
    return prediction(page)


def canvas_points(page, points) -> list[tuple[float, float]]:
    box = page.locator(UPPER_CANVAS).bounding_box()
    return [(box["x"] + x, box["y"] + y) for x, y in points]


def polyline(points, steps: int = 6) -> list[tuple[float, float]]:
    out = [points[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        out += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)]
    return out


def mouse_stroke(page, points) -> None:
    """A quick stroke arriving from outside the component (so the toolbar has no hover time)."""
    (x0, y0), *rest = canvas_points(page, polyline(points))
    page.mouse.move(1, 1)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(x, y)
    page.mouse.up()


def touch_stroke(cdp, page, points) -> None:
    """A one-finger swipe through Chromium's touch events (viewport CSS pixels)."""
    (x0, y0), *rest = canvas_points(page, polyline(points))
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for x, y in rest:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def clear(page) -> None:
    page.locator(CLEAR).click()
    page.locator(CLEAR).blur()
    page.mouse.move(1, 1)
    wait_for(page, lambda: prediction(page) is None, "a blank canvas after clear")
    from digits.ui.widgets import EMPTY_CANVAS

    # The same words as before the first stroke (not an upload's "no ink found in the picture").
    wait_for(page, lambda: page.get_by_text(EMPTY_CANVAS).count() == 1, "the empty canvas's note")


# Strokes in canvas pixels (280x280).
ONE = [[(140, 40), (138, 240)]]
SEVEN = [[(70, 55), (215, 55), (125, 245)]]
FOUR = [[(60, 40), (30, 150), (120, 150)], [(100, 70), (100, 245)]]
TWO = [[(155, 90), (185, 50), (230, 55), (245, 100), (225, 150), (160, 235), (255, 235)]]
INSET = 6
CORNERS = {
    "top-left": [(INSET, INSET), (INSET + 45, INSET + 45)],
    "top-right": [(280 - INSET, INSET), (280 - INSET - 45, INSET + 45)],
    "bottom-left": [(INSET, 280 - INSET), (INSET + 45, 280 - INSET - 45)],
    "bottom-right": [(280 - INSET, 280 - INSET), (280 - INSET - 45, 280 - INSET - 45)],
}


def draw(page, strokes) -> str:
    for stroke in strokes:
        before = prediction(page)
        mouse_stroke(page, stroke)
        wait_for(page, lambda b=before: prediction(page) not in (None, b) or prediction(page) == b, "a rerun")
        page.wait_for_timeout(300)
    return wait_for_prediction(page)


def test_draw_one_and_seven(page, app_url):
    open_canvas(page, app_url)
    assert prediction(page) is None  # a blank canvas is "nothing to read", not a guess
    mouse_stroke(page, ONE[0])
    assert wait_for_prediction(page, "1") == "1"
    clear(page)
    for stroke in SEVEN:
        mouse_stroke(page, stroke)
    assert wait_for_prediction(page, "7") == "7"
    assert page.locator(VERDICT).first.inner_text() == "digit"  # the detector's verdict, beside it
    screenshot(page, "draw.png", full_page=True)
    # Undo removes the stroke: back to nothing to read.
    page.locator(UNDO).click()
    wait_for(page, lambda: prediction(page) is None, "a blank canvas after undo")


def test_one_from_the_top_edge_beside_a_seven(page, app_url):
    """A 1 drawn down from the very top edge (its 22 px stroke runs off the canvas) is kept beside a 7."""
    open_canvas(page, app_url)
    mouse_stroke(page, [(60, 2), (57, 236)])
    assert wait_for_prediction(page, "1") == "1"
    for stroke in [[(130, 60), (250, 60), (180, 245)]]:
        mouse_stroke(page, stroke)
    assert wait_for_prediction(page, "17") == "17"


def test_draw_forty_two(page, app_url):
    open_canvas(page, app_url)
    for stroke in [*FOUR, *TWO]:
        mouse_stroke(page, stroke)
        page.wait_for_timeout(400)
    assert wait_for_prediction(page, "42") == "42"
    screenshot(page, "number.png", full_page=True)


def test_toolbar_sits_clear_of_the_canvas(page, app_url):
    open_canvas(page, app_url)
    toolbar = page.locator(TOOLBAR).bounding_box()
    canvas = page.locator(UPPER_CANVAS).bounding_box()
    assert toolbar["y"] >= canvas["y"] + canvas["height"] or toolbar["y"] + toolbar["height"] <= canvas["y"]
    assert page.locator(TOOLBAR).evaluate("e => getComputedStyle(e).opacity") == "1"


def test_mouse_stroke_from_every_corner(page, app_url):
    open_canvas(page, app_url)
    for corner, points in CORNERS.items():
        if prediction(page) is not None:
            clear(page)
        mouse_stroke(page, points)
        assert wait_for_prediction(page) is not None, corner


def test_touch_stroke_from_every_corner(phone, app_url):
    open_canvas(phone, app_url)
    cdp = phone.context.new_cdp_session(phone)
    for corner, points in CORNERS.items():
        if prediction(phone) is not None:
            clear(phone)
        touch_stroke(cdp, phone, points)
        assert wait_for_prediction(phone) is not None, corner
    screenshot(phone, "phone.png", full_page=True)


def test_upload(page, app_url, tmp_path, mnist_test):
    x, y = mnist_test
    files = []
    for i in (0, 1):
        files.append(tmp_path / f"digit_{i}.png")
        Image.fromarray(on_paper(x[i], height=150)).save(files[-1])
    files.append(tmp_path / "broken.png")
    files[-1].write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    page.goto(app_url)
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(f) for f in files])
    error = page.get_by_text("broken.png can't be read")
    csv = page.get_by_role("button", name="Download all results (CSV)")
    wait_for(page, lambda: page.locator(PREDICTION).count() == 2 and error.count() == csv.count() == 1, "the results")
    assert page.locator(PREDICTION).all_inner_texts() == [str(y[0]), str(y[1])]
    assert page.locator('[data-testid="stException"]').count() == 0
    # Each readable file is shown with its digits' boxes drawn on it.
    assert page.get_by_text("Where the digits were found").count() == 2
    screenshot(page, "upload.png", full_page=True)


def test_upload_of_a_photo_of_no_digits(page, app_url, tmp_path):
    """A photo of a cat, uploaded as a user would: its parts are read, none is called a digit, and the
    page says so rather than offering a number or "digits" found."""
    from digits.ui.gallery import non_digit_photos

    cat = tmp_path / "cat.png"
    Image.fromarray(non_digit_photos()["A cat (Chelsea)"]).save(cat)
    page.goto(app_url)
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(cat)])
    wait_for(page, lambda: page.locator(PREDICTION).count() == 1, "the result")
    assert page.locator(PREDICTION).all_inner_texts() == ["—"]
    wait_for(page, lambda: page.get_by_text("calls none of them a digit").count() == 1, "the note")
    boxes = page.get_by_text("Where the parts were found (none a digit)")
    wait_for(page, lambda: boxes.count() == 1, "the picture's caption")  # an image's caption comes with it
    assert page.get_by_text("Where the digits were found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_not_a_digit_page(page, app_url):
    from digits.ui.gallery import non_digit_photos

    page.goto(app_url)
    # The sidebar says what each page is, with Material icons (drawn from the icon font, so no
    # emoji box), and there is no Deploy button.
    nav = page.locator('[data-testid="stSidebarNav"]')
    wait_for(page, lambda: nav.count() == 1 and "Not a digit" in nav.inner_text(), "the navigation")
    links = [t.split() for t in nav.locator("a").all_inner_texts()]
    assert [(w[0], " ".join(w[1:])) for w in links] == [
        ("draw", "Read a digit"),
        ("block", "Not a digit"),
        ("neurology", "Inside the network"),
    ]
    icons = nav.locator('[data-testid="stIconMaterial"]')
    assert icons.count() == 3
    assert all("Material Symbols" in icons.nth(i).evaluate("e => getComputedStyle(e).fontFamily") for i in range(3))
    assert page.get_by_role("button", name="Deploy").count() == 0
    # The tab's icon is served by the app itself, not fetched from a font server on the internet.
    icons = [link.get_attribute("href") for link in page.locator("link[rel*='icon']").all()]
    assert icons and all(href.startswith(app_url.rstrip("/") + "/media/") for href in icons), icons
    nav.get_by_text("Not a digit").click()
    wait_for(page, lambda: page.url.endswith("/Not_a_digit"), "the page's URL")
    wait_for(page, lambda: page.locator(PREDICTION).count() == len(non_digit_photos()), "the gallery")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("always add up to 1").count() >= 1
    screenshot(page, "not_a_digit.png", full_page=True)
    verdicts = page.locator(VERDICT).all_inner_texts()
    assert len(verdicts) == len(non_digit_photos()) and set(verdicts) <= {"digit", "not a digit"}
    # No digit shown as the prediction where the detector calls the photo not a digit.
    predictions = page.locator(PREDICTION).all_inner_texts()
    for p, v in zip(predictions, verdicts, strict=True):
        assert (len(p) == 1 and p in "0123456789") if v == "digit" else p == "—"
    # How often each set is called not a digit, beside the chart.
    assert page.get_by_text("the share caught").count() == 1
    # The plain softmax network beside it, sure of some digit for at least one photo the app rejects.
    plain = [float(v.rstrip("%")) for v in page.locator(PLAIN_CONFIDENCE).all_inner_texts()]
    assert len(plain) == len(verdicts)
    assert any(c >= 90 and v == "not a digit" for c, v in zip(plain, verdicts, strict=True))
    first = next(iter(non_digit_photos()))
    page.get_by_role("heading", name=first).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)  # let the charts that came into view finish drawing
    screenshot(page, "side_by_side.png")
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= len(non_digit_photos()) + 1


def test_every_network_and_inside_the_network(page, app_url):
    """All three pages open; a drawn 7 read by every shipped network, with the occlusion map and the
    feature maps; the "Inside the network" page for one network."""
    from digits.network.classifier import shipped_models
    from digits.network.report import MISTAKES_SHOWN

    open_canvas(page, app_url)
    assert draw(page, SEVEN) == "7"
    page.get_by_text("Every network", exact=True).click()
    rows = page.locator('[data-testid="stTable"] tbody tr')
    wait_for(page, lambda: rows.count() == len(shipped_models()), "every network's reading")
    predictions = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert predictions.count("7") >= len(predictions) - 1, predictions
    page.get_by_text("Why it answered", exact=True).click()
    caption = page.get_by_text("A grey square slides over the 28x28 input")
    wait_for(page, lambda: caption.count() == 1, "the occlusion map")
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    wait_for(page, lambda: charts.count() >= 5, "the charts")  # probabilities, networks, occlusion, 2 blocks
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("Every network", exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)  # let the charts that came into view finish drawing
    screenshot(page, "every_network.png")
    caption.evaluate("e => e.scrollIntoView({block: 'end'})")
    page.wait_for_timeout(800)
    screenshot(page, "why.png")

    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Not a digit").click()
    wait_for(page, lambda: page.get_by_text("Every plain network under each picture").count() == 1, "the toggle")
    page.get_by_text("Every plain network under each picture").click()
    plain = page.locator('[data-testid="stDataFrame"]')
    wait_for(page, lambda: plain.count() >= 6, "every plain network under each gallery photo")
    nav.get_by_text("Inside the network").click()
    wait_for(page, lambda: page.url.endswith("/Inside_the_network"), "the page's URL")
    mistakes = page.locator('[data-testid="stImage"]')
    wait_for(page, lambda: mistakes.count() == MISTAKES_SHOWN, "the confident mistakes")
    heading = page.get_by_text("Confusion matrix (MNIST test set)")
    assert heading.count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)
    screenshot(page, "inside.png")
    page.get_by_text("The most confident mistakes").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    screenshot(page, "mistakes.png")
