"""Keep streamlit-drawable-canvas's toolbar off the drawing surface.

streamlit-drawable-canvas 0.13 renders inside an open shadow root
(Components v2, ``isolate_styles=True``). Its toolbar (``.dc-toolbar``) is
absolutely positioned over the canvas's top-right corner at ``opacity: 0`` and
only slides up above the canvas after ~0.2 s of hover. Until then it swallows
pointer events, so a quick mouse stroke -- and every touch stroke -- that
starts in that strip is lost.

``keep_toolbar_clear()`` injects a small stylesheet into each canvas's shadow
root that puts the toolbar in normal flow, always visible, above or below the
canvas, so it never overlaps the drawing surface.
"""

from __future__ import annotations

import json
from typing import Literal

import streamlit as st

# Marker attribute of the injected <style>, so it is added once per shadow root.
STYLE_MARKER = "data-keep-toolbar-clear"

# !important: the package stylesheet is a <link> that Streamlit may re-append
# after our <style> (later in document order wins ties), and its :hover rules
# are as specific as anything we could write without it.
_BASE_CSS = """
.dc-toolbar {
  position: static !important;
  top: auto !important;
  opacity: 1 !important;
  transition: none !important;
  justify-content: flex-end;
}
"""

_POSITION_CSS = {
    # Flex column so the toolbar (DOM order: after the canvas) can move first.
    "above": """
.dc-root { display: flex; flex-direction: column; }
.dc-toolbar { order: -1; padding: 0 0 .375rem 0 !important; }
""",
    "below": """
.dc-toolbar { padding: .375rem 0 0 0 !important; }
""",
}

# Streamlit mounts each isolated v2 component as a host element, attaches the
# shadow root in a React effect (i.e. after the host is in the DOM) and fills
# it later still. So: style every isolated component's shadow root (the rules
# only match the canvas's .dc-* classes), retry on the next frame while a host
# has no shadow root yet, and re-scan whenever the light DOM changes.
_SCRIPT = """
<style>
  /* The script's element container is empty; don't let it add a layout gap. */
  [data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script[%(marker)s]) {
    display: none;
  }
</style>
<script %(marker)s>
(() => {
  const MARK = "%(marker)s";
  const CSS = %(css)s;
  const HOSTS = '[data-testid="stBidiComponentIsolated"]';
  let retry = 0;
  const patch = () => {
    let pending = false;
    for (const host of document.querySelectorAll(HOSTS)) {
      const root = host.shadowRoot;
      if (!root) { pending = true; continue; }
      let style = root.querySelector(`style[${MARK}]`);
      if (!style) {
        style = document.createElement("style");
        style.setAttribute(MARK, "");
        root.appendChild(style);
      }
      if (style.textContent !== CSS) style.textContent = CSS;
    }
    if (pending && !retry) retry = requestAnimationFrame(() => { retry = 0; patch(); });
  };
  patch();
  // One observer per page (replaced if the CSS changes); it also catches
  // canvases mounted by later reruns.
  window.__keepToolbarClear?.disconnect();
  window.__keepToolbarClear = new MutationObserver(patch);
  window.__keepToolbarClear.observe(document.body, {childList: true, subtree: true});
})();
</script>
"""


def keep_toolbar_clear(position: Literal["above", "below"] = "above") -> None:
    """Pin every drawable canvas's toolbar visibly above/below its canvas.

    Call once per script run, anywhere on the page (before or after the
    ``st_canvas`` calls). ``"below"`` leaves the canvas's own geometry
    untouched; ``"above"`` shifts the canvas down by the toolbar's height
    inside the component (harmless for drawing; fabric's hidden textarea for
    ``drawing_mode="text"`` keeps its old anchor, which only affects where a
    mobile keyboard/IME scrolls to).
    """
    if position not in _POSITION_CSS:
        raise ValueError(f"position must be 'above' or 'below', got {position!r}")
    css = " ".join((_BASE_CSS + _POSITION_CSS[position]).split())
    st.html(
        _SCRIPT % {"marker": STYLE_MARKER, "css": json.dumps(css)},
        unsafe_allow_javascript=True,
    )
