"""The GitHub adapter: the only package that talks to GitHub.

- `transport`: the HTTP session, authentication, retries, paging, conditional GETs and GraphQL;
- `issues`: issues and comments, read and written, and who may act on them;
- `labels`: the repository's label definitions;
- `incidents`: the open incidents with the responder's comment on each;
- `export`: an incident's record in GitHub's REST shapes, fetched, saved and read back;
- `ports`: the narrow Protocols callers take; `client.GitHubClient` satisfies them all.
"""

from responder.adapters.github.client import GitHubClient, GitHubFactory
from responder.adapters.github.incidents import is_bot
from responder.adapters.github.issues import bot_comment_in, merged_state
from responder.adapters.github.ports import IncidentReader, IssueReader
from responder.adapters.github.transport import DEFAULT_API_URL, GitHubTransport, Response, next_link

__all__ = [
    "DEFAULT_API_URL",
    "GitHubClient",
    "GitHubFactory",
    "GitHubTransport",
    "IncidentReader",
    "IssueReader",
    "Response",
    "bot_comment_in",
    "is_bot",
    "merged_state",
    "next_link",
]
