"""A lightweight protocol-level Streamlit client (Streamlit 1.67, Starlette server) for the load test.

It speaks what the browser speaks, without a browser:

* ``GET /_stcore/health`` sets the ``_streamlit_xsrf`` cookie (XSRF protection is on by default).
* WebSocket ``/_stcore/stream``, subprotocols ``["streamlit", <xsrf cookie>]`` (Sec-WebSocket-Protocol
  is reused to carry the token; the server selects "streamlit"), binary protobuf frames both ways:
  ``BackMsg`` up, ``ForwardMsg`` down.
* A run: ``BackMsg.rerun_script`` (a ``ClientState``: page hash, every widget state, the fragment to
  rerun) -> ``new_session`` (first run only), ``deltas`` ... -> ``script_finished``.
* An upload: ``BackMsg.file_urls_request`` -> ``ForwardMsg.file_urls_response`` -> multipart
  ``PUT <upload_url>`` with header ``X-Xsrftoken`` -> rerun of the uploader's fragment with a
  ``file_uploader_state_value``.
* A drawing (streamlit-drawable-canvas 0.13, a Components v2 bidi component): rerun of the canvas's
  fragment with ``json_value = {"drawing": {"raw": <fabric JSON>, "data": "data:image/png;base64,..."}}``;
  ``CanvasResult.image_data`` is ``np.asarray(PIL.Image.open(<that PNG>))``.

It holds no browser, so that many sessions cost the load-testing machine little: the server is what
is measured (:mod:`digits.evaluation.load_test`). Built on Streamlit's own protobuf classes.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
import requests
import websockets
from PIL import Image
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TIMEOUT_S = 60.0
XSRF_COOKIE = "_streamlit_xsrf"
#: script_finished statuses that end a run (2, FINISHED_EARLY_FOR_RERUN, means another run follows).
_DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


@dataclass
class Widget:
    """A widget seen in the deltas: its id and the fragment it was drawn in ("" if none)."""

    id: str
    fragment_id: str


@dataclass
class Session:
    """One connected app session (one browser tab's worth of state)."""

    base_url: str
    ws: websockets.ClientConnection
    http: requests.Session
    xsrf: str | None
    session_id: str = ""
    page_script_hash: str = ""
    #: Widget states sent with every rerun (the browser sends them all, each time), by widget id.
    widget_states: dict[str, WidgetState] = field(default_factory=dict)
    #: "file_uploader", "canvas", ... -> Widget, from the latest deltas.
    widgets: dict[str, Widget] = field(default_factory=dict)
    #: ForwardMsg cache: hash -> message, for "cacheable" messages (the browser's cache; lets the
    #: server send ``ref_hash`` stubs for messages we already hold).
    cache: dict[str, ForwardMsg] = field(default_factory=dict)
    refs_resolved: int = 0
    #: Messages of the latest run, and timings of the latest upload (s).
    last_msgs: list[ForwardMsg] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    async def close(self) -> None:
        """Close the WebSocket (the server then disconnects the session)."""
        await self.ws.close()
        self.http.close()


async def open_session(base_url: str) -> Session:
    """Get the XSRF cookie, open the WebSocket and run the app's first page once."""
    base_url = base_url.rstrip("/")
    http = requests.Session()
    r = await asyncio.to_thread(http.get, f"{base_url}/_stcore/health", timeout=TIMEOUT_S)
    r.raise_for_status()
    xsrf = http.cookies.get(XSRF_COOKIE)
    ws = await websockets.connect(
        "ws" + base_url[4:] + "/_stcore/stream",
        subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
        additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"} if xsrf else None,
        origin=base_url,
        max_size=None,
        open_timeout=TIMEOUT_S,
    )
    s = Session(base_url, ws, http, xsrf)
    await rerun(s)
    return s


async def _recv(s: Session) -> ForwardMsg:
    """Next ForwardMsg, with ``ref_hash`` stubs resolved from the cache and the session's
    bookkeeping (session id, page hash, widget ids) updated."""
    msg = ForwardMsg()
    msg.ParseFromString(await asyncio.wait_for(s.ws.recv(), TIMEOUT_S))
    kind = msg.WhichOneof("type")
    if kind == "ref_hash":
        cached = s.cache[msg.ref_hash]  # KeyError: the server referenced a message we never got
        meta = msg.metadata
        msg = ForwardMsg()
        msg.CopyFrom(cached)
        msg.metadata.CopyFrom(meta)
        kind = msg.WhichOneof("type")
        s.refs_resolved += 1
    elif msg.metadata.cacheable and msg.hash:
        s.cache[msg.hash] = msg
    if kind == "new_session":
        s.session_id = msg.new_session.initialize.session_id
    elif kind == "navigation":
        s.page_script_hash = msg.navigation.page_script_hash
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        el = msg.delta.new_element
        name = el.WhichOneof("type")
        if name == "file_uploader":
            s.widgets["file_uploader"] = Widget(el.file_uploader.id, msg.delta.fragment_id)
        elif name == "bidi_component" and "drawable_canvas" in el.bidi_component.component_name:
            s.widgets["canvas"] = Widget(el.bidi_component.id, msg.delta.fragment_id)
    return msg


async def rerun(s: Session, fragment_id: str = "") -> tuple[list[ForwardMsg], float]:
    """Send ``rerun_script`` with every widget state and wait for ``script_finished``.

    Returns:
        The run's messages and the seconds from sending the BackMsg to ``script_finished``.
    """
    back = BackMsg()
    cs = back.rerun_script
    cs.page_script_hash = s.page_script_hash
    cs.fragment_id = fragment_id
    cs.widget_states.widgets.extend(s.widget_states.values())
    cs.cached_message_hashes.extend(s.cache)
    t0 = time.perf_counter()
    await s.ws.send(back.SerializeToString())
    msgs = []
    while True:
        msg = await _recv(s)
        msgs.append(msg)
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in _DONE:
            s.last_msgs = msgs
            return msgs, time.perf_counter() - t0


def metrics(msgs: list[ForwardMsg], label: str = "Prediction") -> list[str]:
    """The bodies of the ``st.metric`` elements called ``label`` in these messages."""
    return [
        m.delta.new_element.metric.body
        for m in msgs
        if m.WhichOneof("type") == "delta"
        and m.delta.new_element.WhichOneof("type") == "metric"
        and m.delta.new_element.metric.label == label
    ]


def alerts(msgs: list[ForwardMsg]) -> list[str]:
    """Text of the st.error/warning/info/success elements (e.g. "busy") and exceptions."""
    out = []
    for m in msgs:
        if m.WhichOneof("type") == "delta":
            el = m.delta.new_element
            if el.WhichOneof("type") == "alert":
                out.append(el.alert.body)
            elif el.WhichOneof("type") == "exception":
                out.append(f"{el.exception.type}: {el.exception.message}")
    return out


def _widget(s: Session, kind: str) -> Widget:
    if kind not in s.widgets:
        raise LookupError(f"no {kind} in the page's deltas (seen: {sorted(s.widgets)})")
    return s.widgets[kind]


async def upload(s: Session, name: str, png_bytes: bytes, mime: str = "image/png") -> tuple[str | None, float]:
    """Upload one file into the page's ``st.file_uploader`` (replacing what it held) and read it.

    Returns:
        (the first "Prediction" metric's value or None, seconds from rerun BackMsg to script_finished).
        ``s.timings`` gets the phases: "urls", "put", "rerun".
    """
    w = _widget(s, "file_uploader")
    req_id = uuid.uuid4().hex
    back = BackMsg()
    back.file_urls_request.request_id = req_id
    back.file_urls_request.session_id = s.session_id
    back.file_urls_request.file_names.append(name)
    t0 = time.perf_counter()
    await s.ws.send(back.SerializeToString())
    while True:
        msg = await _recv(s)
        if msg.WhichOneof("type") == "file_urls_response" and msg.file_urls_response.response_id == req_id:
            break
    resp = msg.file_urls_response
    if resp.error_msg:
        raise RuntimeError(f"file_urls_request refused: {resp.error_msg}")
    urls = resp.file_urls[0]
    t1 = time.perf_counter()
    url = urls.upload_url if urls.upload_url.startswith("http") else s.base_url + urls.upload_url
    # The browser's FormData: one part, field name = file name.
    r = await asyncio.to_thread(
        s.http.put,
        url,
        files={name: (name, png_bytes, mime)},
        headers={"X-Xsrftoken": s.xsrf} if s.xsrf else {},
        timeout=TIMEOUT_S,
    )
    if r.status_code >= 300:
        raise RuntimeError(f"PUT {url}: HTTP {r.status_code} {r.text[:200]}")
    t2 = time.perf_counter()
    state = WidgetState(id=w.id)
    info = state.file_uploader_state_value.uploaded_file_info.add()
    info.name, info.size, info.file_id = name, len(png_bytes), urls.file_id
    info.file_urls.CopyFrom(urls)
    s.widget_states[w.id] = state
    msgs, seconds = await rerun(s, w.fragment_id)
    s.timings = {"urls": t1 - t0, "put": t2 - t1, "rerun": seconds}
    found = metrics(msgs)
    return (found[0] if found else None), seconds


def canvas_png(gray: np.ndarray) -> bytes:
    """A 280x280 grayscale uint8 picture as the canvas's PNG: RGBA, opaque (the app's canvas has a
    white background, so every pixel the browser's ``toDataURL`` gives is opaque)."""
    g = np.asarray(gray, dtype=np.uint8)
    rgba = np.dstack([g, g, g, np.full_like(g, 255)])
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


async def draw(s: Session, gray: np.ndarray, raw: dict | None = None) -> tuple[str | None, float]:
    """Send a drawing as the canvas would (``setStateValue("drawing", {raw, data})``) and read it.

    Args:
        gray: 280x280 uint8, black ink on white; ``canvas.image_data`` becomes this as RGBA.
        raw: the Fabric.js JSON for ``json_data`` (the app ignores it; default: no objects).

    Returns:
        (the "Prediction" metric's value or None, seconds from rerun BackMsg to script_finished).
    """
    return await draw_png(s, canvas_png(gray), raw)


async def draw_png(s: Session, png: bytes, raw: dict | None = None) -> tuple[str | None, float]:
    """:func:`draw` with the canvas's PNG already made (:func:`canvas_png`)."""
    w = _widget(s, "canvas")
    data_url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    raw = raw if raw is not None else {"version": "6.7.1", "objects": [], "background": "#FFFFFF"}
    s.widget_states[w.id] = WidgetState(id=w.id, json_value=json.dumps({"drawing": {"raw": raw, "data": data_url}}))
    msgs, seconds = await rerun(s, w.fragment_id)
    found = metrics(msgs)
    return (found[0] if found else None), seconds
