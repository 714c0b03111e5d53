"""Pictures and Altair charts for the pages: pure functions, testable without Streamlit."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Iterable

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFont

HIGHLIGHT = "#e4572e"
OTHER = "#9aa5b1"
#: Colour of the digits' boxes drawn on a picture: Okabe & Ito's blue, safe for colour blindness.
BOX_COLOUR = (0, 114, 178)


@functools.cache
def favicon(size: int = 64) -> Image.Image:
    """The pages' browser-tab icon: a light 7 on black, as the network sees digits.

    Drawn here so that the tab needs nothing from the internet: a Material icon given as Streamlit's
    ``page_icon`` is fetched from Google's font server, and an app served offline showed no icon.

    Args:
        size: the icon's side in px (> 0).

    Returns:
        A (size, size) RGB PIL image (one object per size: Streamlit serves it from its media store).
    """
    img = Image.new("RGB", (size, size), (0, 0, 0))
    corners = [(0.24, 0.22), (0.76, 0.22), (0.42, 0.80)]
    points = [(x * size, y * size) for x, y in corners]
    ImageDraw.Draw(img).line(points, fill=(255, 255, 255), width=max(1, round(0.13 * size)), joint="curve")
    return img


def probability_chart(probabilities: np.ndarray, title: str = "Probability of each digit") -> alt.Chart:
    """Bar chart of ten class probabilities with the most probable bar highlighted.

    Args:
        probabilities: (10,) floats in [0, 1].

    Returns:
        An Altair bar chart (digits 0-9 on x, probability 0-1 on y).

    Raises:
        ValueError: not 10 values.
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    if p.shape != (10,):
        raise ValueError(f"expected 10 probabilities, got {p.shape}")
    top = int(np.argmax(p))
    df = pd.DataFrame({"digit": [str(d) for d in range(10)], "probability": p, "top": np.arange(10) == top})
    return (
        alt.Chart(df, title=title, height=220)
        .mark_bar()
        .encode(
            x=alt.X("digit:N", sort=None, title="digit", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="probability"),
            color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(OTHER)),
            tooltip=[alt.Tooltip("digit:N"), alt.Tooltip("probability:Q", format=".2%")],
        )
    )


@functools.lru_cache(maxsize=64)
def _probability_template(title: str) -> tuple[str, str]:
    """``(spec as JSON, dataset name)`` of :func:`probability_chart` for ``title``, built (and
    validated) by Altair once per title."""
    spec = probability_chart(np.full(10, 0.1), title).to_dict()
    (name,) = spec["datasets"]
    return json.dumps(spec), name


def probability_spec(probabilities: np.ndarray, title: str = "Probability of each digit") -> dict:
    """The Vega-Lite spec of :func:`probability_chart`, cheaply: Altair builds and validates the
    chart once per title, and each call puts these probabilities into a copy of it.

    Building an Altair chart and validating it against the Vega-Lite schema takes tens of
    milliseconds, and the pages draw one per digit on every rerun; this takes well under one.

    Args:
        probabilities: (10,) floats in [0, 1].
        title: the chart's title.

    Returns:
        A Vega-Lite spec (dict) for ``st.vega_lite_chart``, with the same marks, encodings and data
        values as ``probability_chart(probabilities, title).to_dict()``.

    Raises:
        ValueError: not 10 values.
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    if p.shape != (10,):
        raise ValueError(f"expected 10 probabilities, got {p.shape}")
    text, name = _probability_template(title)
    spec = json.loads(text)
    top = int(np.argmax(p))
    spec["datasets"][name] = [{"digit": str(d), "probability": float(p[d]), "top": d == top} for d in range(10)]
    return spec


def _network_rows(probabilities: dict[str, np.ndarray]) -> list[dict]:
    """Long rows ``network, digit, probability, top`` (``top``: the network's most probable digit)
    for the charts of several networks.

    Raises:
        ValueError: no networks, or one that does not give 10 values.
    """
    if not probabilities:
        raise ValueError("no probabilities to show")
    rows = []
    for name, values in probabilities.items():
        p = np.asarray(values, dtype=float).ravel()
        if p.shape != (10,):
            raise ValueError(f"expected 10 probabilities for {name!r}, got {p.shape}")
        top = int(np.argmax(p))
        rows += [{"network": name, "digit": str(d), "probability": p[d], "top": d == top} for d in range(10)]
    return rows


def comparison_chart(probabilities: dict[str, np.ndarray], title: str = "Probability of each digit") -> alt.Chart:
    """Grouped bar chart of several networks' ten class probabilities, side by side per digit.

    Args:
        probabilities: network name -> (10,) floats in [0, 1]; the names are the legend, in order.
        title: the chart's title.

    Returns:
        An Altair bar chart (digits 0-9 on x, probability 0-1 on y, one colour per network).

    Raises:
        ValueError: no networks, or one that does not give 10 values.
    """
    rows = _network_rows(probabilities)
    names = list(probabilities)
    return (
        alt.Chart(pd.DataFrame(rows), title=title, height=220)
        .mark_bar()
        .encode(
            x=alt.X("digit:N", sort=None, title="digit", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("network:N", sort=names),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="probability"),
            color=alt.Color(
                "network:N",
                sort=names,
                scale=alt.Scale(domain=names, range=[HIGHLIGHT, OTHER, "#3d5a80"][: len(names)]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[alt.Tooltip("network:N"), alt.Tooltip("digit:N"), alt.Tooltip("probability:Q", format=".2%")],
        )
    )


def enlarge(image: np.ndarray, size: int = 224, square: bool = False) -> Image.Image:
    """Enlarge a small grayscale image with nearest-neighbour sampling, so its pixels stay visible.

    Args:
        image: (h, w) float in [0, 1] (1 = white) or uint8.
        size: length in pixels of the longer side of the result.
        square: pad the shorter side with black first, the image centred (a thin 1's crop, shown
            in a column as wide as the others, would otherwise be stretched to its width: a tile
            many times taller than wide).

    Returns:
        An 8-bit grayscale ``PIL.Image``, ``size`` x ``size`` when ``square``.
    """
    a = np.asarray(image)
    if a.dtype != np.uint8:
        a = (np.clip(a, 0.0, 1.0) * 255).round().astype(np.uint8)
    if square and a.shape[0] != a.shape[1]:
        side = max(a.shape)
        top, left = (side - a.shape[0]) // 2, (side - a.shape[1]) // 2
        a = np.pad(a, ((top, side - a.shape[0] - top), (left, side - a.shape[1] - left)))
    img = Image.fromarray(a)
    scale = size / max(img.size)
    return img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.NEAREST)


#: The longer side, in px, of a picture shown with its digits' boxes: a picture smaller than
#: :data:`DISPLAY_MIN` (a 28x28 crop) is enlarged to it, pixels kept visible; one larger than
#: :data:`DISPLAY_MAX` is reduced, so that it fits a phone's column.
DISPLAY_MIN = 240
DISPLAY_MAX = 480


def display_size(picture: np.ndarray) -> np.ndarray:
    """A picture ((h, w) or (h, w, 3|4) uint8) at a size to show: its longer side brought into
    [:data:`DISPLAY_MIN`, :data:`DISPLAY_MAX`] px, aspect ratio kept (nearest-neighbour when
    enlarging, so a small picture's pixels stay sharp; area-averaging when reducing)."""
    img = Image.fromarray(np.asarray(picture))
    longer = max(img.size)
    target = min(max(longer, DISPLAY_MIN), DISPLAY_MAX)
    if target == longer:
        return np.asarray(img)
    scale = target / longer
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return np.asarray(img.resize(size, Image.NEAREST if scale > 1 else Image.BOX))


def boxes_picture(
    picture: np.ndarray, shape: tuple[int, int], boxes: list[tuple[int, int, int, int]], labels: list[str]
) -> Image.Image:
    """The picture with each digit's box drawn on it and its reading written above it.

    Args:
        picture: what was read, as shown: (h, w) or (h, w, 3|4) uint8, possibly a thumbnail of the
            input (the reading pipeline's "input" step).
        shape: (height, width) of the input picture, the frame of ``boxes``.
        boxes: (x0, y0, x1, y1) of each digit in input pixels (x1, y1 exclusive).
        labels: what each digit was read as, e.g. "4".

    Returns:
        An RGB ``PIL.Image`` the size of ``picture``, boxes in :data:`BOX_COLOUR` (a 2 px line at
        least, wider on big pictures).

    Raises:
        ValueError: ``boxes`` and ``labels`` differ in length.
    """
    if len(boxes) != len(labels):
        raise ValueError(f"{len(boxes)} boxes but {len(labels)} labels")
    img = Image.fromarray(np.asarray(picture)).convert("RGB")
    sx, sy = img.width / max(1, shape[1]), img.height / max(1, shape[0])
    draw = ImageDraw.Draw(img)
    line = max(2, round(max(img.size) / 200))
    font = ImageFont.load_default(size=max(12, round(max(img.size) / 25)))
    for (x0, y0, x1, y1), label in zip(boxes, labels, strict=True):
        rect = (x0 * sx, y0 * sy, max(x0 * sx, x1 * sx - 1), max(y0 * sy, y1 * sy - 1))
        draw.rectangle(rect, outline=BOX_COLOUR, width=line)
        # On a white tag, so that it reads on dark pictures and on coloured paper alike.
        at = (rect[0] + line, max(0, rect[1] - font.size - line))
        draw.rectangle(draw.textbbox(at, label, font=font), fill="white")
        draw.text(at, label, fill=BOX_COLOUR, font=font)
    return img


def results_csv(rows: Iterable[dict]) -> str:
    """CSV text for a list of per-file results (``predict.py --json`` objects:
    :func:`digits.ui.wording.result_fields` with ``file``).

    Columns: file, number (the digits read left to right, as the page shows them), label and
    confidence (the picture read as one digit), is_digit, p0..p9, and note (why nothing was read:
    the file's error, or too much texture); empty cells where a value is None. Where several digits
    were read, the picture read as one digit means nothing (a whole number squeezed into one 28x28):
    label, confidence and p0..p9 are empty, is_digit is True only when every digit is one (number
    shows "?" for each part the detector rejects: :func:`digits.ui.wording.shown_number`), and note
    gives each part's top class and calibrated confidence ("2 0.999; 0 0.998; ...").
    """
    out = io.StringIO()
    scalars = ("file", "number", "label", "confidence", "is_digit")
    fields = [*scalars, *[f"p{d}" for d in range(10)], "note"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        flat = {k: row.get(k) for k in scalars} | {"note": row.get("error") or row.get("texture")}
        digits = row.get("digits") or []
        several = len(digits) > 1
        for d, p in enumerate(row.get("probabilities") if not several and row.get("probabilities") else [None] * 10):
            flat[f"p{d}"] = p
        if several:
            flat |= {"label": None, "confidence": None, "is_digit": all(d["is_digit"] is not False for d in digits)}
            flat["note"] = "; ".join(f"{d['label']} {d['confidence']:.3f}" for d in digits)
        writer.writerow({k: "" if v is None else v for k, v in flat.items()})
    return out.getvalue()


#: The score chart's whole height on a page, px: plot, axes, and the legend of four sets under it
#: (Streamlit fits a chart's content into its height; 260 px left the plot itself about 40).
SCORE_CHART_HEIGHT = 460


def score_chart(scores: dict[str, list[float]], threshold: float, score_name: str) -> alt.LayerChart:
    """Distributions of the "not a digit" score per set, with the threshold marked.

    Args:
        scores: set name -> scores (higher = less like a digit), e.g. from ``model/ood_scores.json``.
        threshold: the detector's threshold (scores above it are rejected).
        score_name: the score's display name, for the tooltip (the axis says "score", short enough
            for a phone; the page's caption names it).

    Returns:
        An Altair layer chart: one histogram (share of the set per bin) per set and a rule at the
        threshold. The x axis is logarithmic when every score is positive.

    Raises:
        ValueError: no scores.
    """
    rows = [(name, float(s)) for name, values in scores.items() for s in values]
    if not rows:
        raise ValueError("no scores to plot")
    df = pd.DataFrame(rows, columns=["set", "score"])
    log = bool((df["score"] > 0).all()) and threshold > 0
    x_values = np.log10(df["score"]) if log else df["score"]
    edges = np.linspace(min(x_values.min(), np.log10(threshold) if log else threshold), x_values.max(), 61)
    df["bin"] = np.clip(np.digitize(x_values, edges) - 1, 0, len(edges) - 2)
    hist = df.groupby(["set", "bin"]).size().rename("count").reset_index()
    hist["share"] = hist["count"] / hist.groupby("set")["count"].transform("sum")
    centres = (edges[:-1] + edges[1:]) / 2
    hist["score"] = 10 ** centres[hist["bin"]] if log else centres[hist["bin"]]
    x = alt.X(
        "score:Q",
        # Short, so that it is not cut on a phone; the caption names the score.
        title="score" + (" (log scale)" if log else ""),
        scale=alt.Scale(type="log" if log else "linear"),
    )
    bars = (
        alt.Chart(hist, height=260)
        .mark_area(opacity=0.45, interpolate="step")
        .encode(
            x=x,
            y=alt.Y("share:Q", title="share of the set", stack=None, axis=alt.Axis(format="%")),
            color=alt.Color(
                "set:N",
                title="set",
                sort=list(scores),
                # Distinct hues (Tableau 10); the theme's palette put two blues and two pinks side by side.
                scale=alt.Scale(scheme="tableau10"),
                # Below the plot, so that on a phone the legend does not squeeze the plot to a sliver.
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=260),
            ),
            tooltip=[
                "set:N",
                alt.Tooltip("score:Q", format=".3g", title=score_name),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"score": [threshold], "label": ["threshold"]}))
        .mark_rule(color="black", strokeDash=[6, 3], size=2)
        .encode(x="score:Q", tooltip=[alt.Tooltip("score:Q", title="threshold", format=".3g")])
    )
    return alt.layer(bars, rule)


def _two_lines(name: str) -> list[str]:
    """A panel's title in two lines: ``name`` broken before its first parenthesis, or ``name`` and a
    blank line."""
    head, paren, rest = name.partition(" (")
    return [head, f"({rest}"] if paren else [name, " "]


def network_panel(name: str, probabilities: np.ndarray) -> alt.Chart:
    """One network's ten class probabilities as a small bar chart, its top digit highlighted: one
    panel of the small multiples a page lays out in columns (a facet chart has a fixed width, and on
    a phone four panels of it ran past the screen's edge).

    Args:
        name: the network's display name (the panel's title).
        probabilities: (10,) floats in [0, 1].

    Returns:
        An Altair bar chart (digits 0-9 on x, probability 0-1 on y), as wide as its container.

    Raises:
        ValueError: not 10 values.
    """
    return (
        # A parenthesis on a line of its own ("App network (CNN + outlier exposure)" was cut short),
        # and two lines for every title, so that the panels' plots line up.
        alt.Chart(
            pd.DataFrame(_network_rows({name: probabilities})),
            title=alt.Title(_two_lines(name), fontSize=12),
        )
        .mark_bar()
        .encode(
            x=alt.X("digit:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title=None),
            color=alt.condition(alt.datum.top, alt.value(HIGHLIGHT), alt.value(OTHER)),
            tooltip=["network:N", "digit:N", alt.Tooltip("probability:Q", format=".2%")],
        )
    )


def grid_frame(values: np.ndarray) -> pd.DataFrame:
    """A (H, W) array as long rows ``row, col, value`` (NaN cells left out), for a heatmap."""
    a = np.asarray(values, dtype=float)
    r, c = np.nonzero(~np.isnan(a))
    return pd.DataFrame({"row": r, "col": c, "value": a[r, c]})


def heatmap_chart(
    values: np.ndarray,
    title: str,
    legend: str,
    diverging: bool = False,
    size: int = 220,
    domain=None,
    legend_below: bool = False,
) -> alt.Chart:
    """A (H, W) array as a heatmap in colours that stay distinct under colour blindness: viridis
    (sequential), or blue-orange around 0 (``diverging``), with a colour legend.

    Args:
        values: (H, W) floats; NaN cells are left empty.
        title: the chart's title; legend: the legend's title.
        size: width in pixels (the height follows the array's shape).
        domain: the colour scale's (low, high); default: the data's range (symmetric about 0 when
            ``diverging``).
        legend_below: put the colour legend under the map (for a narrow column: beside it, the
            legend took width the map then lost, and the map was drawn taller than wide).

    Raises:
        ValueError: ``values`` is not 2-D.
    """
    a = np.asarray(values, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {a.shape}")
    if domain is None and diverging:
        top = float(np.nanmax(np.abs(a))) if np.isfinite(a).any() else 0.0
        domain = (-top, top) if top > 0 else (-1.0, 1.0)
    scale = alt.Scale(scheme="blueorange" if diverging else "viridis", domain=list(domain) if domain else alt.Undefined)
    df = grid_frame(a)
    df["col2"], df["row2"] = df["col"] + 1, df["row"] + 1
    h, w = a.shape
    return (
        alt.Chart(df, title=alt.Title(title, anchor="start"))
        .mark_rect()
        .encode(
            x=alt.X("col:Q", axis=None, scale=alt.Scale(domain=[0, w], nice=False)),
            x2="col2:Q",
            y=alt.Y("row:Q", axis=None, scale=alt.Scale(domain=[h, 0], nice=False)),
            y2="row2:Q",
            color=alt.Color(
                "value:Q",
                scale=scale,
                title=legend,
                legend=alt.Legend(orient="bottom", direction="horizontal") if legend_below else alt.Undefined,
            ),
            tooltip=[alt.Tooltip("value:Q", format=".3f", title=legend)],
        )
        .properties(width=size, height=max(20, round(size * h / w)))
    )


def confusion_chart(confusion: np.ndarray) -> alt.LayerChart:
    """The confusion matrix as a heatmap with its counts written in each cell.

    Args:
        confusion: (10, 10) counts, row = true digit, column = prediction.
    """
    c = np.asarray(confusion)
    t, p = np.meshgrid(np.arange(10), np.arange(10), indexing="ij")
    df = pd.DataFrame({"true": t.ravel().astype(str), "predicted": p.ravel().astype(str), "count": c.ravel()})
    base = alt.Chart(df).encode(
        x=alt.X("predicted:O", title="predicted digit", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:O", title="true digit"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="viridis", type="symlog"), title="test digits"),
        tooltip=["true:O", "predicted:O", "count:Q"],
    )
    text = base.mark_text(fontSize=11).encode(
        text="count:Q", color=alt.condition(alt.datum.count > c.max() / 8, alt.value("black"), alt.value("white"))
    )
    return alt.layer(cells, text).properties(width=420, height=380)


def history_chart(history: dict[str, list[float]]) -> alt.HConcatChart:
    """Training and validation loss and accuracy per epoch (Keras ``History.history`` keys
    ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``), as two line charts.

    Raises:
        ValueError: no ``loss`` in ``history``.
    """
    if not history.get("loss"):
        raise ValueError("the history has no loss")
    rows = []
    for key, values in history.items():
        split = "validation" if key.startswith("val_") else "training"
        metric = key.removeprefix("val_")
        if metric not in ("loss", "accuracy"):
            continue
        rows += [{"epoch": i + 1, "metric": metric, "split": split, "value": v} for i, v in enumerate(values)]
    df = pd.DataFrame(rows)

    def line(metric: str, fmt: str):
        return (
            alt.Chart(df[df["metric"] == metric], title=metric)
            .mark_line(point=True)
            .encode(
                x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1)),
                y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt)),
                color=alt.Color(
                    "split:N",
                    scale=alt.Scale(domain=["training", "validation"], range=["#0072b2", "#e69f00"]),
                    # Below the plots: beside them it ran past the page's column.
                    legend=alt.Legend(orient="bottom"),
                ),
                tooltip=["epoch:Q", "split:N", alt.Tooltip("value:Q", format=".4f")],
            )
            .properties(width=300, height=220)
        )

    return alt.hconcat(line("loss", ".3f"), line("accuracy", ".1%"))


def counts_chart(counts: list[int]) -> alt.Chart:
    """Bar chart of how many training images there are of each digit."""
    df = pd.DataFrame({"digit": [str(d) for d in range(len(counts))], "images": counts})
    return (
        alt.Chart(df, height=200)
        .mark_bar(color="#0072b2")
        .encode(
            x=alt.X("digit:N", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("images:Q", title="training images"),
            tooltip=["digit:N", "images:Q"],
        )
    )
