"""Wiring: from the environment and responder.yml to the adapters a command uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from responder.errors import GitHubError, InputError

if TYPE_CHECKING:
    from responder.adapters.github import GitHubFactory
    from responder.config.loader import Config


UNAUTHENTICATED_HINT = "Set GITHUB_TOKEN (or secrets.github_token in responder.yml)."


def github_factory(env: Mapping[str, str], config: Config | None = None, mask_stream: TextIO | None = None,
                   *, unauthenticated_hint: str = UNAUTHENTICATED_HINT) -> GitHubFactory:
    """Make GitHub clients with the token from responder.yml's secrets (default: GITHUB_TOKEN, GH_TOKEN).

    One client per repository, so requests made before the run (reading the issue) are counted too.
    Without a token, the error's hint is the command's own (`unauthenticated_hint`): it names only options
    that command has.
    """
    from responder.adapters.github import DEFAULT_API_URL, GitHubClient
    from responder.adapters.secrets import resolver_for
    from responder.model.state import SHARED_BOT_LOGIN, StateSeal

    resolver = resolver_for(config, env, mask_stream=mask_stream)
    clients: dict[str, GitHubClient] = {}

    def make(repository: str) -> GitHubClient:
        if repository in clients:
            return clients[repository]
        token = resolver.optional("github_token") or ""
        if not token:
            raise GitHubError("no GitHub token", hint=unauthenticated_hint)
        interval = env.get("RESPONDER_GITHUB_WRITE_INTERVAL")
        try:
            write_interval = float(interval) if interval else 1.0
        except ValueError:
            raise InputError(f"RESPONDER_GITHUB_WRITE_INTERVAL={interval!r} is not a number") from None
        bot_login = config.bot_login if config is not None else SHARED_BOT_LOGIN
        clients[repository] = GitHubClient(
            repository,
            token,
            api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            write_interval=write_interval,
            state_seal=StateSeal.for_bot(resolver.optional("state_key"), bot_login),
        )
        return clients[repository]

    return make


