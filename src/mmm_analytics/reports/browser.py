"""Open the reports in headless Chromium and say what a person would see: a minimal DevTools client.

Chromium is started with ``--remote-debugging-pipe``: it reads DevTools protocol commands
(JSON, each ended by a NUL byte) from file descriptor 3 and answers on 4, so no
websocket library and no network port is needed. :func:`inspect_page` loads a report at
one window size, waits for its plotly charts and measures the page: horizontal overflow,
tables wider than their box, empty or squeezed charts and console errors.
:meth:`Browser.screenshot` takes a PNG of the page.

The Debian package ``chromium`` provides the browser (:func:`find_chromium`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = (
    "--headless",
    "--remote-debugging-pipe",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
)
#: Seconds a command may take before the browser is given up on.
TIMEOUT = 60.0
#: The tallest screenshot taken (CSS pixels).
MAX_SHOT_HEIGHT = 9000

#: Resolves once every plotly chart has drawn its SVG (at once without plotly; after 15 s at most),
#: then two frames later.
_WAIT_FOR_CHARTS = """
new Promise(resolve => {
  const start = Date.now();
  const done = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
  (function poll() {
    const boxes = Array.from(document.querySelectorAll('.chart'));
    if (!window.Plotly || boxes.every(b => b.querySelector('.main-svg')) || Date.now() - start > 15000) { done(); }
    else { setTimeout(poll, 100); }
  })();
})
"""
#: The narrowest or lowest plot area (CSS pixels) of a chart that reads: below it, margins pushed out by
#: long tick labels or a legend have squeezed the plot to a strip (below 0 plotly draws nothing).
MIN_PLOT = 100
#: What the page looks like, as JSON.
_MEASURE = r"""
JSON.stringify((() => {
  const MIN_PLOT = {MIN_PLOT};
  const root = document.documentElement;
  const charts = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const drawn = el => el.querySelectorAll(
    '.cartesianlayer .trace path, .cartesianlayer .hm image, .pielayer .slice path').length > 0;
  const empty = charts.filter(el => !(el.data && el.data.length && drawn(el)) || el.offsetHeight < 50);
  const wide = Array.from(document.querySelectorAll('table')).filter(t => t.parentElement &&
    (t.scrollWidth > t.parentElement.clientWidth + 1 || t.getBoundingClientRect().right > root.clientWidth + 1));
  const name = el => el.id || (el.closest('[id]') || {}).id || el.tagName;
  const rect = (el, part) => { const found = el.querySelector(part); return found && found.getBoundingClientRect(); };
  const meet = (a, b) => a && b && a.width > 0 && b.width > 0 &&
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const covered = charts.filter(el => ['.legend', '.updatemenu-container'].some(
    part => meet(rect(el, part), rect(el, '.modebar'))));
  const wideCharts = charts.filter(el => { const svg = rect(el, '.main-svg');
    return svg && svg.right > el.getBoundingClientRect().right + 1; });
  const cutTitles = charts.filter(el => { const title = rect(el, '.gtitle'), svg = rect(el, '.main-svg');
    return title && svg && title.width > 0 && (title.left < svg.left - 1 || title.right > svg.right + 1); });
  const squeezed = charts.filter(el => { const size = (el._fullLayout || {})._size;
    return size && (size.w < MIN_PLOT || size.h < MIN_PLOT); });
  const tiny = charts.filter(el => Array.from(el.querySelectorAll('text.bartext')).some(text => {
    const box = text.getBoundingClientRect(); return box.height > 0 && box.height < 10; }));
  // A caption wider than the window is cut off (one inside a table's sideways-scrolling box spans the table).
  const cutCaptions = Array.from(document.querySelectorAll('caption:not(.unseen), .table-caption, figcaption')).filter(el => {
    const box = el.getBoundingClientRect(); return box.width > 0 && box.right > root.clientWidth + 1; });
  const broken = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node && broken.length < 5; node = walk.nextNode()) {
      for (const word of node.textContent.matchAll(/\S+/g)) {
        if (word[0].length > 30 || /-/.test(word[0])) continue;
        const range = document.createRange();
        range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
        const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(`${name(cell)}: '${word[0]}'`);
      }
    }
  }
  return {brokenWords: broken, scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, innerWidth: window.innerWidth,
          height: root.scrollHeight, charts: charts.length,
          chartBoxes: document.querySelectorAll('.chart').length,
          emptyCharts: empty.map(name), wideTables: wide.map(name), coveredLegends: covered.map(name),
          wideCharts: wideCharts.map(name), tinyLabels: tiny.map(name),
          cutTitles: cutTitles.map(name), squeezedCharts: squeezed.map(name),
          cutCaptions: cutCaptions.map(el => el.textContent.trim().slice(0, 40)), title: document.title};
})())
""".replace("{MIN_PLOT}", str(MIN_PLOT))

#: Run in the child: hand the two pipe ends over as the descriptors 3 and 4, then become Chromium.
_HAND_OVER = (
    "import os, sys\n"
    "read, write = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.dup2(read, 3); os.dup2(write, 4)\n"
    "[os.close(fd) for fd in {read, write} - {3, 4}]\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def find_chromium() -> str | None:
    """The Chromium binary on this machine, or None."""
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    return found or next((path for path in CHROMIUM_PATHS if Path(path).is_file()), None)


class BrowserError(RuntimeError):
    """Chromium failed to start, answer or load a page."""


@dataclass(frozen=True, slots=True)
class PageView:
    """One report seen at one window size."""

    path: Path
    width: int
    height: int
    scroll_width: int
    client_width: int
    inner_width: int
    page_height: int
    charts: int
    chart_boxes: int
    empty_charts: tuple[str, ...]
    wide_tables: tuple[str, ...]
    console_errors: tuple[str, ...]
    #: Table words of at most 30 characters (hyphen-free) split over two lines, up to five: "table 'x': 'BrandA'".
    broken_words: tuple[str, ...] = ()
    #: Charts whose legend or view menu lies under plotly's toolbar (which shows on hover and takes the clicks).
    covered_legends: tuple[str, ...] = ()
    #: Charts drawn wider than their box (cut off on the right).
    wide_charts: tuple[str, ...] = ()
    #: Charts with a bar label shrunk to fit its bar below a 10 px box, a font under about 9 px (too small to read).
    tiny_labels: tuple[str, ...] = ()
    #: Charts whose own (plotly) title runs past their edge: plotly does not wrap titles.
    cut_titles: tuple[str, ...] = ()
    #: Charts whose plot area is narrower or lower than :data:`MIN_PLOT` (its margins take the rest).
    squeezed_charts: tuple[str, ...] = ()
    #: Captions running past the window (cut off), their first 40 characters.
    cut_captions: tuple[str, ...] = ()

    @property
    def overflows(self) -> bool:
        """Whether the page scrolls sideways."""
        return self.scroll_width > min(self.inner_width, self.client_width)

    def problems(self, scrolling_tables: bool = False) -> list[str]:
        """What a person would notice, one line each (empty when the page looks right).

        ``scrolling_tables``: a table wider than its box is fine (on a phone, the box scrolls sideways).
        """
        where = f"{self.path.name} at {self.width}x{self.height}"
        found = []
        if self.overflows:
            found.append(f"{where}: the page is {self.scroll_width} px wide in a {self.client_width} px window")
        if not scrolling_tables:
            found += [f"{where}: table in '{name}' is wider than its box" for name in self.wide_tables]
        found += [f"{where}: chart '{name}' has its legend or menu under the toolbar" for name in self.covered_legends]
        found += [f"{where}: chart '{name}' is wider than its box" for name in self.wide_charts]
        found += [f"{where}: chart '{name}' has bar labels too small to read" for name in self.tiny_labels]
        found += [f"{where}: chart '{name}' has its title cut off" for name in self.cut_titles]
        found += [f"{where}: chart '{name}' has its plot squeezed by its margins" for name in self.squeezed_charts]
        found += [f"{where}: a word in a table is split over two lines: {word}" for word in self.broken_words]
        found += [f"{where}: a caption runs past the window: '{start}...'" for start in self.cut_captions]
        found += [f"{where}: chart '{name}' is empty" for name in self.empty_charts]
        if self.charts != self.chart_boxes:
            found.append(f"{where}: {self.charts} of {self.chart_boxes} charts were drawn")
        found += [f"{where}: console error: {text}" for text in self.console_errors]
        return found


@dataclass(slots=True)
class _Pipe:
    """The DevTools protocol over Chromium's pipe: commands out, answers and events in."""

    process: subprocess.Popen[bytes]
    writer: int
    reader: int
    buffer: bytes = b""
    next_id: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self.writer, json.dumps(message).encode("utf-8") + b"\0")
        answer = self._wait(lambda m: m.get("id") == self.next_id, method)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message', answer['error'])}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(index)
        return self._wait(lambda m: m.get("method") == method and m.get("sessionId") == session, method, keep=False)

    def _wait(self, wanted: Any, what: str, keep: bool = True) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return dict(message)
                if "method" in message:
                    self.events.append(message)
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                raise BrowserError(f"Chromium did not answer {what} within {TIMEOUT:.0f} s")
            ready, _, _ = select.select([self.reader], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.reader, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium closed the pipe while waiting for {what}")
                self.buffer += chunk


class Browser:
    """A headless Chromium for the life of a ``with`` block."""

    def __init__(self, binary: str | None = None) -> None:
        found = binary or find_chromium()
        if found is None:
            raise BrowserError("no Chromium found; install the Debian package 'chromium'")
        self.binary = found
        self._profile = Path(tempfile.mkdtemp(prefix="mmm-chromium-"))
        self._pipe: _Pipe | None = None

    def __enter__(self) -> Self:
        to_browser, from_us = os.pipe()
        to_us, from_browser = os.pipe()
        command = [sys.executable, "-c", _HAND_OVER, str(to_browser), str(from_browser), self.binary, *FLAGS]
        command += [f"--user-data-dir={self._profile}", "about:blank"]
        process = subprocess.Popen(  # a session of its own: a kill takes the browser's children with it
            command,
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._pipe = _Pipe(process, from_us, to_us)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            try:
                pipe.call("Browser.close")
                pipe.process.wait(timeout=10)
            except (BrowserError, OSError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pipe.process.pid, signal.SIGKILL)
                pipe.process.wait(timeout=10)
            finally:
                os.close(pipe.writer)
                os.close(pipe.reader)
        shutil.rmtree(self._profile, ignore_errors=True)

    @property
    def pipe(self) -> _Pipe:
        if self._pipe is None:
            raise BrowserError("the browser is not running; use it inside 'with Browser() as browser:'")
        return self._pipe

    def _open(self, path: Path, width: int, height: int, media: str = "") -> str:
        """A new tab of ``width`` x ``height`` showing ``path`` with its charts drawn, as on the screen or as
        printed (``media`` ``"print"``); returns its session."""
        pipe = self.pipe
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = str(pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"])
        for domain in ("Page", "Runtime", "Log"):
            pipe.call(f"{domain}.enable", session=session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        pipe.call("Emulation.setDeviceMetricsOverride", metrics, session)
        if media:
            pipe.call("Emulation.setEmulatedMedia", {"media": media}, session)
        answer = pipe.call("Page.navigate", {"url": Path(path).resolve().as_uri()}, session)
        if answer.get("errorText"):
            raise BrowserError(f"could not open {path}: {answer['errorText']}")
        pipe.wait_event("Page.loadEventFired", session)
        self._evaluate(_WAIT_FOR_CHARTS, session)
        return session

    def _evaluate(self, expression: str, session: str) -> Any:
        params = {"expression": expression, "awaitPromise": True, "returnByValue": True}
        answer = self.pipe.call("Runtime.evaluate", params, session)
        if "exceptionDetails" in answer:
            raise BrowserError(f"script failed: {answer['exceptionDetails'].get('text', '')}")
        return answer["result"].get("value")

    def _console_errors(self, session: str) -> tuple[str, ...]:
        texts = []
        for event in self.pipe.events:
            if event.get("sessionId") != session:
                continue
            params = event.get("params", {})
            match event.get("method"):
                case "Runtime.exceptionThrown":
                    details = params.get("exceptionDetails", {})
                    texts.append(str(details.get("exception", {}).get("description") or details.get("text")))
                case "Runtime.consoleAPICalled" if params.get("type") in ("error", "assert"):
                    texts.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
                case "Log.entryAdded" if params.get("entry", {}).get("level") == "error":
                    texts.append(str(params["entry"].get("text")))
        return tuple(texts)

    def _close(self, session: str) -> None:
        self.pipe.call("Page.close", session=session)
        self.pipe.events = [e for e in self.pipe.events if e.get("sessionId") != session]

    def inspect(self, path: Path, width: int, height: int) -> PageView:
        """Load ``path`` in a ``width`` x ``height`` window and measure what is shown."""
        session = self._open(path, width, height)
        try:
            seen = json.loads(self._evaluate(_MEASURE, session))
            errors = self._console_errors(session)
        finally:
            self._close(session)
        return PageView(
            path=Path(path),
            width=width,
            height=height,
            scroll_width=int(seen["scrollWidth"]),
            client_width=int(seen["clientWidth"]),
            inner_width=int(seen["innerWidth"]),
            page_height=int(seen["height"]),
            charts=int(seen["charts"]),
            chart_boxes=int(seen["chartBoxes"]),
            empty_charts=tuple(seen["emptyCharts"]),
            wide_tables=tuple(seen["wideTables"]),
            console_errors=errors,
            broken_words=tuple(seen["brokenWords"]),
            covered_legends=tuple(seen["coveredLegends"]),
            wide_charts=tuple(seen["wideCharts"]),
            tiny_labels=tuple(seen["tinyLabels"]),
            cut_titles=tuple(seen["cutTitles"]),
            squeezed_charts=tuple(seen["squeezedCharts"]),
            cut_captions=tuple(seen["cutCaptions"]),
        )

    def evaluate(self, path: Path, expression: str, width: int = 1366, height: int = 768, media: str = "") -> Any:
        """The value of the JavaScript ``expression`` in ``path`` loaded with its charts drawn (JSON-like), as on
        the screen or as printed (``media`` ``"print"``)."""
        session = self._open(path, width, height, media)
        try:
            return self._evaluate(expression, session)
        finally:
            self._close(session)

    def screenshot(self, path: Path, width: int = 1366, height: int = 768) -> bytes:
        """A PNG of the whole page ``path`` (up to :data:`MAX_SHOT_HEIGHT` px tall) at ``width``."""
        session = self._open(path, width, height)
        try:
            tall = min(int(self._evaluate("document.documentElement.scrollHeight", session)), MAX_SHOT_HEIGHT)
            clip = {"x": 0, "y": 0, "width": width, "height": max(tall, height), "scale": 1}
            params = {"format": "png", "captureBeyondViewport": True, "clip": clip}
            data = self.pipe.call("Page.captureScreenshot", params, session)["data"]
        finally:
            self._close(session)
        return base64.b64decode(data)
