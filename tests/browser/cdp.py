"""Headless Chromium driven over the Chrome DevTools Protocol, with the network closed.

Why our own few lines: the browser tests need to open a page, wait for something to appear, click
or run script, and see every request the page makes; the DevTools Protocol does all of it over
one WebSocket (``websockets`` comes with ``uvicorn[standard]``), where Playwright or Selenium would
add a driver and a package manager to the test setup.

"The network closed": every request is paused in the browser (``Fetch.enable``) and let through
only to the test's server on 127.0.0.1; anything else fails as the internet being down would, and
is recorded, so a test can also say that nothing tried to leave.

Where Chromium comes from: Debian's, installed by ``scripts/provision.py`` and found by
:func:`tests.programs.program` (skipped when missing, failed under ``CI=true``).
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.programs import program
from tests.servers import stop

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--window-size=1280,900",
)
"""What works here (/work/.library/env/machines/python.md): without the background-networking
flags Chromium keeps trying to reach Google's hosts."""


@dataclass
class Page:
    """One tab, its requests let through to loopback only."""

    socket: ClientConnection
    next_id: int = 0
    blocked: list[str] = field(default_factory=list)
    """Requests the page tried to send elsewhere (failed as if offline)."""
    loaded: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one DevTools command and return its result, handling events meanwhile."""
        self.next_id += 1
        command_id = self.next_id
        self.socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == command_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Fetch.requestPaused":
            url = params["request"]["url"]
            if urlsplit(url).hostname in LOOPBACK:
                self.loaded.append(url)
                self._reply("Fetch.continueRequest", requestId=params["requestId"])
            else:
                self.blocked.append(url)
                self._reply(
                    "Fetch.failRequest",
                    requestId=params["requestId"],
                    errorReason="InternetDisconnected",
                )
        elif method == "Runtime.exceptionThrown":
            self.console_errors.append(json.dumps(params.get("exceptionDetails", {}))[:500])

    def _reply(self, method: str, **params: Any) -> None:
        """A command whose answer does not matter, sent from inside event handling."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))

    def pump(self, seconds: float) -> None:
        """Handle events for ``seconds`` (requests go on while the test waits)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = json.loads(self.socket.recv(timeout=left))
            except TimeoutError:
                return
            if "id" not in message:
                self._event(message)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if a promise)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def wait_for(self, expression: str, seconds: float = 30.0) -> Any:
        """Poll ``expression`` until it is truthy; its value, or AssertionError with what the
        page blocked and threw, when it never is."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            self.pump(0.1)
        raise AssertionError(
            f"never true: {expression}; blocked {self.blocked}; errors {self.console_errors}"
        )

    def screenshot(self, path: Path) -> None:
        shot = self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))


@contextmanager
def chromium(profile: Path) -> Iterator[Page]:
    """A headless Chromium with one page whose requests leave only to loopback; stopped by its
    pid afterwards."""
    process = subprocess.Popen(
        [
            program("chromium"),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start its DevTools server")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(page_url, max_size=None, open_timeout=30) as socket:
            page = Page(socket)
            page.send("Fetch.enable", patterns=[{"urlPattern": "*"}])
            page.send("Runtime.enable")
            page.send("Page.enable")
            yield page
    finally:
        stop(process)
