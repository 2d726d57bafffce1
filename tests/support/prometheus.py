"""A real Prometheus on loopback, its data backfilled at fixed times (Debian's `prometheus` package).

The series are written as OpenMetrics text, turned into TSDB blocks with `promtool tsdb
create-blocks-from openmetrics`, and a Prometheus is started over them with a temporary storage
directory. The tests query at explicit times, so nothing depends on the wall clock.

A missing binary fails the tests with what to do (`make prometheus` installs it); it never skips.

The scenario, ending at NOW (2026-11-23 14:10 UTC), one sample every 15 s for two hours:
- nextcloud serves 100 requests a second with 1 % of them 5xx and a p99 of about 0.49 s, until 20
  minutes before NOW; then 8 % are 5xx and the slow buckets fill (a p99 of 4.5 s);
- mail serves 20 requests a second with 0.5 % of them 5xx, and a p99 of 0.46 s.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from tests.support.processes import stop

NOW = datetime(2026, 11, 23, 14, 10, tzinfo=UTC)
START = NOW - timedelta(hours=2)
STEP = 15
INCIDENT = NOW - timedelta(minutes=20)
INSTALL_HINT = ("Debian's prometheus package is needed for the metrics tests: run `make prometheus` (apt-get "
                "install -y prometheus, as root), or install Prometheus and promtool on PATH")

ERROR_RATE = ('sum(rate(http_requests_total{app="%s",code=~"5.."}[5m])) '
              '/ sum(rate(http_requests_total{app="%s"}[5m]))')
LATENCY_P99 = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{app="%s"}[5m])))'
BUCKETS = ("0.1", "0.5", "1", "2.5", "5", "+Inf")


def binaries() -> tuple[str, str]:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if prometheus is None or promtool is None:
        raise RuntimeError(INSTALL_HINT)
    return prometheus, promtool


def _shares(app: str, at: datetime) -> tuple[float, float, dict[str, float]]:
    """Requests per second, the 5xx share, and the share of requests in each latency bucket (not cumulative)."""
    if app == "mail":
        return 20.0, 0.005, {"0.1": 0.9, "0.5": 0.1}
    if at >= INCIDENT:
        return 100.0, 0.08, {"0.1": 0.5, "0.5": 0.3, "1": 0.1, "2.5": 0.05, "5": 0.05}
    return 100.0, 0.01, {"0.1": 0.8, "0.5": 0.195, "1": 0.005}


def openmetrics() -> str:
    """Counters and histograms for both apps, as a scrape every STEP seconds would have stored them."""
    moments = []
    at = START
    while at <= NOW:
        moments.append(at)
        at += timedelta(seconds=STEP)
    requests_lines: list[str] = []
    histogram_lines: list[str] = []
    for app in ("nextcloud", "mail"):
        totals = {"200": 0.0, "500": 0.0}
        buckets = dict.fromkeys(BUCKETS, 0.0)
        count = total_seconds = 0.0
        series: dict[str, list[str]] = {}
        for moment in moments:
            rate, errors, shares = _shares(app, moment)
            served = rate * STEP
            totals["500"] += served * errors
            totals["200"] += served * (1 - errors)
            running = 0.0
            for bound in BUCKETS:
                running += shares.get(bound, 0.0)
                buckets[bound] += served * min(running, 1.0)
            count += served
            total_seconds += served * 0.2
            stamp = f"{moment.timestamp():.0f}"
            for code, value in totals.items():
                name = f'http_requests_total{{app="{app}",code="{code}"}}'
                series.setdefault(name, []).append(f"{value:.3f} {stamp}")
            for bound, value in buckets.items():
                series.setdefault(f'http_request_duration_seconds_bucket{{app="{app}",le="{bound}"}}', []).append(
                    f"{value:.3f} {stamp}")
            series.setdefault(f'http_request_duration_seconds_count{{app="{app}"}}', []).append(f"{count:.3f} {stamp}")
            series.setdefault(f'http_request_duration_seconds_sum{{app="{app}"}}', []).append(
                f"{total_seconds:.3f} {stamp}")
        for name, values in series.items():
            target = requests_lines if name.startswith("http_requests_total") else histogram_lines
            target += [f"{name} {value}" for value in values]
    return "\n".join([
        "# TYPE http_requests counter", "# HELP http_requests Requests served, by status code.", *requests_lines,
        "# TYPE http_request_duration_seconds histogram", "# HELP http_request_duration_seconds Request latency.",
        *histogram_lines, "# EOF", ""])


@dataclass(frozen=True)
class Prometheus:
    url: str
    storage: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_prometheus() -> Iterator[Prometheus]:
    prometheus, promtool = binaries()
    with tempfile.TemporaryDirectory(prefix="prometheus-") as tmp:
        root = Path(tmp)
        (root / "data.om").write_text(openmetrics(), encoding="utf-8")
        storage = root / "data"
        subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(root / "data.om"), str(storage)],
                       check=True, capture_output=True, timeout=120)
        (root / "prometheus.yml").write_text("global: {scrape_interval: 1s}\nscrape_configs: []\n", encoding="utf-8")
        port = _free_port()
        log = (root / "prometheus.log").open("wb")
        process = subprocess.Popen([prometheus, f"--config.file={root / 'prometheus.yml'}",
                                    f"--storage.tsdb.path={storage}", "--storage.tsdb.retention.time=100y",
                                    f"--web.listen-address=127.0.0.1:{port}"],
                                   stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError("prometheus exited: " + (root / "prometheus.log").read_text()[-2000:])
                try:
                    if requests.get(url + "/-/ready", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("prometheus did not become ready in 30 s")
                time.sleep(0.1)
            yield Prometheus(url, storage)
        finally:
            stop(process)
            log.close()
