"""A real headless Chromium, driven over the DevTools protocol on a pipe (--remote-debugging-pipe).

No driver download and no websocket library: Chromium reads JSON commands
from fd 3 and writes answers and events to fd 4, each message ending in a
NUL byte. The network is closed, so everything that phones home is off.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support.processes import reap

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars")
INSTALL_HINT = "install Debian's chromium (apt-get install -y chromium), as .ci/run does"


def find_chromium() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


class DevTools:
    def __init__(self, process: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.process = process
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            for item in self._read(deadline):
                if item.get("id") == self._next_id:
                    if "error" in item:
                        raise RuntimeError(f"{method}: {item['error']}")
                    result: dict[str, Any] = item.get("result") or {}
                    return result
                self.events.append(item)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.extend(self._read(deadline))

    def drain(self, seconds: float) -> None:
        """Collect events for a little while (late console messages)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.events.extend(self._read(deadline, quiet=True))

    def _read(self, deadline: float, quiet: bool = False) -> list[dict[str, Any]]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if quiet:
                return []
            raise TimeoutError("Chromium did not answer in time")
        ready, _, _ = select.select([self._in], [], [], remaining)
        if not ready:
            return []
        chunk = os.read(self._in, 1 << 20)
        if not chunk:
            raise RuntimeError("Chromium closed the DevTools pipe")
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        return [json.loads(m) for m in messages if m]


@contextmanager
def chromium(binary: str, width: int = 1200, height: int = 900) -> Iterator[tuple[DevTools, str]]:
    """A browser with one page; yields the DevTools connection and the page's session id."""
    commands_read, commands_write = os.pipe()
    events_read, events_write = os.pipe()
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    # Copies at fd >= 10, so putting them at 3 and 4 in the child cannot clobber one another.
    high_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
    high_out = fcntl.fcntl(events_write, fcntl.F_DUPFD, 10)

    def wire_pipes() -> None:  # runs in the child: DevTools expects fds 3 and 4
        os.dup2(high_in, 3)
        os.dup2(high_out, 4)
        os.close(high_in)
        os.close(high_out)

    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # a fixed argument list, no shell
            [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=wire_pipes, close_fds=False,
        )
        for fd in (commands_read, events_write, high_in, high_out):
            os.close(fd)
        tools = DevTools(process, commands_write, events_read)
        try:
            targets = tools.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            attached = tools.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})
            yield tools, attached["sessionId"]
        finally:
            with suppress(RuntimeError, TimeoutError, OSError):
                tools.send("Browser.close", timeout=5)
            reap(process)
            os.close(commands_write)
            os.close(events_read)
            shutil.rmtree(profile, ignore_errors=True)


def errors_in(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, uncaught exceptions, failed loads and CSP violations the page caused."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params") or {}
        if method == "Runtime.exceptionThrown":
            found.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:300])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            found.append(f"console.{params['type']}: " + json.dumps(params.get("args"))[:300])
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            found.append(f"log {entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
    return found


def set_clock(tools: DevTools, session: str, now: datetime) -> None:
    """Give the page's scripts `now` as the time when each document starts, instead of the wall clock.

    The tests pass "now" in everywhere, the browser included: the page is built from fixture data
    at a fixed moment, and the visitor's clock is set relative to that same moment. The clock still
    runs forward from there, so timers and load timing behave as usual.
    """
    script = """(() => {
  const offset = VISITOR_NOW - Date.now();
  const RealDate = Date;
  class VisitorDate extends RealDate {
    constructor(...args) { if (args.length === 0) { super(RealDate.now() + offset); } else { super(...args); } }
    static now() { return RealDate.now() + offset; }
  }
  globalThis.Date = VisitorDate;
})();""".replace("VISITOR_NOW", str(int(now.timestamp() * 1000)))
    tools.send("Page.addScriptToEvaluateOnNewDocument", {"source": script}, session)


def screenshot(tools: DevTools, session: str, path: Path, width: int, height: int) -> None:
    import base64

    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    data = tools.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True},
                      session)["data"]
    path.write_bytes(base64.b64decode(data))
