"""Digit Canvas: draw, upload or photograph a digit and see what an MNIST network makes of it.

The entry point: ``streamlit run app.py``. It lays out the pages (``st.navigation``): "Read a digit"
(this file), "Not a digit" (``pages/1_Not_a_digit.py``) and "Inside the network"
(``pages/2_Inside_the_network.py``).
"""

from __future__ import annotations

import streamlit as st

from digits.reading.decode import UPLOAD_TYPES
from digits.ui.canvas_fix import keep_toolbar_clear
from digits.ui.charts import favicon, results_csv
from digits.ui.widgets import (
    BUSY,
    EMPTY_CANVAS,
    classifier_or_stop,
    first_files,
    model_sidebar,
    read_drawing,
    read_file,
    show_insights,
    show_result,
)
from digits.ui.wording import result_fields

#: The other pages (their URL paths are "Not_a_digit" and "Inside_the_network", from the files' names).
NOT_A_DIGIT_PAGE = "pages/1_Not_a_digit.py"
INSIDE_PAGE = "pages/2_Inside_the_network.py"
CANVAS_SIZE = 280
#: MNIST strokes are about a seventh of the digit's height: ~25 px for a digit drawn 200 px tall.
DEFAULT_STROKE = 22


# Each tab is a fragment: a canvas stroke, an upload or a photo reruns its own tab, not the others.
@st.fragment
def draw_tab(classifier) -> None:
    from streamlit_drawable_canvas import st_canvas

    left, right = st.columns([1, 1.4], gap="large")
    with left:
        stroke = st.slider("Stroke width (px)", 5, 45, DEFAULT_STROKE, help="The default gives MNIST's stroke width.")
        st.caption(
            "Draw a digit as big as the box, or several side by side, a little apart (digits that touch may "
            "be read as one). The toolbar under the canvas reads "
            "the drawing again, undoes and redoes a stroke, edits (select a stroke to move or delete it) "
            "and clears the canvas."
        )
        canvas = st_canvas(
            stroke_width=stroke,
            stroke_color="#000000",
            background_color="#FFFFFF",
            width=CANVAS_SIZE,
            height=CANVAS_SIZE,
            drawing_mode="freedraw",
            return_image_data=True,
            key="canvas",
        )
        keep_toolbar_clear("below")
    with right:
        image = canvas.image_data if canvas is not None else None
        result = None
        if image is None:
            st.info(EMPTY_CANVAS)
        else:
            result = read_drawing(image, classifier)
            if result is None:
                st.warning(f"Not read: {BUSY}.")
            else:
                show_result(result, key="canvas", classifier=classifier, blank=EMPTY_CANVAS)
    if result is not None:
        show_insights(result, key="canvas", classifier=classifier)  # across the tab's width


@st.fragment
def upload_tab(classifier) -> None:
    files = st.file_uploader(
        "Images of digits (several at once are fine)", type=UPLOAD_TYPES, accept_multiple_files=True
    )
    if not files:
        st.caption(
            "PNG, JPEG, WebP, BMP or GIF. Dark ink on light paper or the reverse; transparency is fine. "
            "Digits that touch may be read as one."
        )
        return
    files = first_files(files)
    rows = []
    for i, f in enumerate(files):
        st.subheader(f.name)
        result, error = read_file(f.getvalue(), classifier)
        if error:
            st.error(f"**{f.name}** can't be read: {error}.")
            rows.append({"file": f.name, "error": error})
            continue
        show_result(result, key=f"upload-{i}", classifier=classifier, boxes=True)
        show_insights(result, key=f"upload-{i}", classifier=classifier)
        rows.append({"file": f.name} | result_fields(result, classifier.temperature))
    if len(files) > 1:
        st.download_button(
            "Download all results (CSV)", results_csv(rows), file_name="digit_canvas_results.csv", mime="text/csv"
        )


@st.fragment
def camera_tab(classifier) -> None:
    st.caption("Works on localhost; a deployed app must be served over HTTPS for the browser to allow the camera.")
    photo = st.camera_input("Photograph a digit on paper")
    if photo is None:
        return
    result, error = read_file(photo.getvalue(), classifier)
    if error:
        st.error(f"The photo can't be read: {error}.")
    else:
        show_result(result, key="camera", classifier=classifier, boxes=True)
        show_insights(result, key="camera", classifier=classifier)


def read_page() -> None:
    """The "Read a digit" page: draw, upload or photograph."""
    st.title(":material/draw: Digit Canvas")
    st.write(
        "A convolutional network trained on MNIST reads your digit. You see the 28x28 image it really "
        "receives, prepared the way MNIST's digits were, and its probability for each of the ten digits."
    )
    classifier = classifier_or_stop()
    model_sidebar(classifier)
    draw, upload, camera = st.tabs(["Draw", "Upload", "Camera"])
    with draw:
        draw_tab(classifier)
    with upload:
        upload_tab(classifier)
    with camera:
        camera_tab(classifier)


def main() -> None:
    # Material icons, not emoji: a plain Chromium without an emoji font draws emoji as boxes. The
    # tab's icon is an image of our own: a Material page_icon is fetched from Google's font server.
    st.set_page_config(page_title="Digit Canvas", page_icon=favicon(), layout="wide")
    pages = [
        st.Page(read_page, title="Read a digit", icon=":material/draw:", default=True),
        st.Page(NOT_A_DIGIT_PAGE, title="Not a digit", icon=":material/block:"),
        st.Page(INSIDE_PAGE, title="Inside the network", icon=":material/neurology:"),
    ]
    st.navigation(pages).run()


main()
