"""GitHubClient: the issue, label and incident parts of one repository over one counted transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from responder.adapters.github.incidents import Incidents
from responder.adapters.github.issues import Issues
from responder.adapters.github.labels import Labels
from responder.adapters.github.transport import DEFAULT_API_URL, GitHubTransport, Response
from responder.model.state import StateSeal


class GitHubClient(Issues, Labels, Incidents):
    """Every part for one repository, so one client counts all of a run's requests.

    Code that needs one part takes its Protocol (responder/adapters/github/ports.py) instead.
    """

    def __init__(
        self,
        repository: str,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        write_interval: float = 1.0,
        max_attempts: int = 4,
        max_wait: float = 60.0,
        timeout: float = 15.0,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        state_seal: StateSeal | None = None,
    ) -> None:
        transport = GitHubTransport(token, api_url=api_url, write_interval=write_interval,
                                    max_attempts=max_attempts, max_wait=max_wait, timeout=timeout, sleep=sleep,
                                    clock=clock)
        super().__init__(transport, repository, state_seal)

    @property
    def requests(self) -> int:
        """HTTP requests made so far, retries included."""
        return self.transport.requests

    @requests.setter
    def requests(self, count: int) -> None:
        self.transport.requests = count

    def push_token(self) -> str:
        """The token, for git pushes of the responder's own commits to this repository."""
        return self.transport.push_token()

    def paged(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        return self.transport.paged(path, params)

    def get_if_changed(self, path: str, *, params: Mapping[str, Any] | None = None,
                       etag: str | None = None) -> Response:
        return self.transport.get_if_changed(path, params=params, etag=etag)


# One client per repository: made by the CLI's wiring, handed to the flows.
GitHubFactory = Callable[[str], GitHubClient]
