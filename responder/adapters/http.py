"""Plain HTTP reads of other sites (an Uptime Kuma status page, a previous Pages deployment).

The probes and the GitHub, Kubernetes, Woodpecker and agent adapters have their own transports;
this one is for the status page stage, which must not import an HTTP client itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from responder.errors import ResponderError


class HttpUnavailable(ResponderError):
    """No usable answer: the request failed on the network, or the answer was not what was asked for.

    `reason` is short enough for a warning line: the exception's name, or the status line.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content: bytes


def http_get(url: str, timeout: float, headers: Mapping[str, str] | None = None) -> HttpAnswer:
    """Any answer the server gives (4xx and 5xx included); HttpUnavailable when there is none."""
    import requests

    try:
        response = requests.get(url, timeout=timeout, headers=dict(headers or {}))
    except requests.RequestException as exc:
        raise HttpUnavailable(network_reason(exc, timeout)) from None
    return HttpAnswer(response.status_code, response.content)


def network_reason(exc: Exception, timeout: float) -> str:
    """Why there was no answer, in the words of a warning line: "connection refused", "TLS error: ..."."""
    import requests

    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error" + (": certificate not trusted" if "CERTIFICATE_VERIFY_FAILED" in text else "")
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.ConnectionError):
        for needles, reason in ((("Connection refused",), "connection refused"),
                                (("Name or service not known", "nodename nor servname", "getaddrinfo failed",
                                  "Temporary failure in name resolution", "NameResolutionError"),
                                 "the host name could not be resolved (DNS)"),
                                (("Read timed out", "timed out"), f"no answer within {timeout:g} s")):
            if any(needle in text for needle in needles):
                return reason
        return "connection failed"
    return type(exc).__name__


def get_json(url: str, timeout: float) -> Any:
    """The JSON of a 2xx answer; HttpUnavailable for no answer, another status, or an answer that is not JSON."""
    import requests

    try:
        response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except requests.HTTPError as exc:
        raise HttpUnavailable(str(exc)[:120]) from None
    except (requests.RequestException, ValueError, RecursionError) as exc:
        raise HttpUnavailable(type(exc).__name__) from None
