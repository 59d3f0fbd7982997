"""The docs site in a real browser: every page opened in headless Chromium at 1280 px.

The site is built once (``mkdocs build --strict``) into a temporary folder; one
Chromium process, driven over its DevTools protocol on a pair of pipes (no extra
Python package), opens each page, measures the layout, and saves a screenshot per
page beside the site (``screenshots/*.png``: a build artefact, never committed; set
``SOCKKIT_SCREENSHOTS=DIR`` to keep them in ``DIR``).  Checked on every page: the
content column is wide enough for the code blocks (at least 880 px at a 1280 px
window), no code block scrolls sideways, and no identifier in a table is broken
mid-word.

Skipped, with the reason shown, where Chromium (Debian's ``chromium``) or mkdocs is
missing.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 900
MIN_CONTENT_WIDTH = 880
MAX_SHOT_HEIGHT = 12_000  # the longest reference pages, cut: enough to look at
TIMEOUT = 60.0
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed: apt-get install chromium"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("mkdocs") is None,
        reason="mkdocs is not installed: pip install -e '.[test]'",
    ),
]

# Run in each page once it has loaded: what the checks need, as JSON-able values.
MEASURE = """(() => {
  const content = document.querySelector(".md-content");
  const codes = [...document.querySelectorAll(".md-typeset pre > code")];
  const cells = [...document.querySelectorAll(".md-typeset table:not([class]) td code")];
  return {
    content: content ? content.getBoundingClientRect().width : 0,
    scrolling: codes.filter(c => c.scrollWidth > c.clientWidth + 1)
                    .map(c => c.textContent.split("\\n")[0].slice(0, 60)),
    broken: cells.filter(c => c.getClientRects().length > 1 ||
                              c.getBoundingClientRect().height > 40)
                 .map(c => c.textContent),
    height: document.documentElement.scrollHeight,
  };
})()"""


def _above_four(fd: int) -> int:
    """``fd`` moved to a number above 4, so that putting pipes on 3 and 4 cannot clobber it."""
    import fcntl  # noqa: PLC0415 - POSIX only, as Chromium's pipe mode is here

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """Headless Chromium over ``--remote-debugging-pipe``: JSON commands, NUL-ended."""

    def __init__(self, profile: Path) -> None:
        commands_read, self._commands = map(_above_four, os.pipe())
        self._events, events_write = map(_above_four, os.pipe())
        # Chromium reads commands on fd 3 and writes to fd 4: bash puts the pipes there
        # (dash, Debian's sh, cannot name a descriptor above 9).
        wire = (
            f'exec "$0" "$@" 3<&{commands_read} 4>&{events_write}'
            f" {commands_read}<&- {events_write}>&-"
        )
        assert CHROMIUM is not None
        self.process = subprocess.Popen(
            [
                "bash",
                "-c",
                wire,
                CHROMIUM,
                "--headless",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(commands_read, events_write),
        )
        os.close(commands_read)
        os.close(events_write)
        self._buffer = b""
        self._next_id = 0
        self._pending: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]
        self.call("Page.enable", session=self.session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=self.session,
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._events], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._events, 1 << 16)
            if not chunk:
                raise EOFError("chromium exited")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        request: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            request["sessionId"] = session
        os.write(self._commands, json.dumps(request).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result
            self._pending.append(message)

    def wait_event(self, method: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self._pending):
                if message.get("method") == method:
                    del self._pending[index]
                    return
            self._pending.append(self._message(deadline))

    def open(self, url: str) -> None:
        self._pending.clear()
        self.call("Page.navigate", session=self.session, url=url)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", session=self.session, expression=expression, returnByValue=True
        )
        return result["result"]["value"]

    def screenshot(self, path: Path, height: int) -> None:
        """The page from its top, ``height`` pixels of it (the window's width)."""
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}
        data = self.call(
            "Page.captureScreenshot",
            session=self.session,
            format="png",
            clip=clip,
            captureBeyondViewport=True,
        )["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._commands, json.dumps({"id": 0, "method": "Browser.close"}).encode())
        os.close(self._commands)
        try:
            self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(TIMEOUT)
        os.close(self._events)


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sockkit-site-") as folder:
        built = Path(folder) / "site"
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(built)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        yield built


def _pages(site: Path) -> list[Path]:
    return sorted(
        path for path in site.rglob("index.html") if "assets" not in path.relative_to(site).parts
    )


def _shot_name(site: Path, page: Path) -> str:
    relative = page.parent.relative_to(site).as_posix()
    return ("home" if relative == "." else relative.replace("/", "_")) + ".png"


def test_every_page_renders_with_a_wide_content_column(site: Path) -> None:
    shots = Path(os.environ.get("SOCKKIT_SCREENSHOTS") or site.parent / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    pages = _pages(site)
    assert len(pages) >= 20, pages  # the guides and every reference page
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sockkit-chromium-") as profile:
        browser = Browser(Path(profile))
        try:
            for page in pages:
                name = page.parent.relative_to(site).as_posix()
                browser.open(page.as_uri())
                found = browser.evaluate(MEASURE)
                shot = shots / _shot_name(site, page)
                browser.screenshot(shot, min(found["height"], MAX_SHOT_HEIGHT))
                assert shot.stat().st_size > 10_000, f"{name}: an empty screenshot"
                if found["content"] < MIN_CONTENT_WIDTH:
                    problems.append(f"{name}: content column {found['content']:.0f} px")
                problems += [f"{name}: code block scrolls: {line}" for line in found["scrolling"]]
                problems += [f"{name}: broken in a table cell: {text}" for text in found["broken"]]
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
