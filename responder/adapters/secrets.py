"""Where the responder's tokens come from: the environment, or Vault.

responder.yml names each secret with a reference, parsed into a frozen model
when the config is loaded (responder/config/secrets.py). `SecretResolver` is the
shell: it resolves a name on demand, logs in to Vault at most once, and
hands every value it finds to the process redactor and, inside GitHub
Actions, to the runner's log masking. Values are never printed; reports
name only the secret and where it came from.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from responder.config.secrets import EnvReference, Reference, SecretsSettings, settings_from_section
from responder.errors import ResponderError
from responder.render.redaction import process_redactor

if TYPE_CHECKING:
    from responder.adapters.vault import SecretStore, VaultLogin
    from responder.config.loader import Config

DESCRIPTIONS: Mapping[str, str] = {
    "github_token": "GitHub API token (issues, labels, comments)",
    "woodpecker_token": "Woodpecker API token (starts the in-cluster pipeline)",
    "agent_token": "agent service token (optional investigator)",
    "kubeconfig": "kubeconfig for reading the cluster (else in-cluster or $KUBECONFIG)",
    "state_key": "key that signs the responder's state marker (recommended: github-actions[bot] is shared)",
}


class SecretsError(ResponderError):
    """A secret that is needed could not be resolved."""


def settings_from_config(config: Config | None) -> SecretsSettings:
    return config.secrets if config is not None else settings_from_section({})


@dataclass(frozen=True)
class Resolved:
    """The outcome for one secret. `value` is kept out of repr so it never reaches a log by accident."""

    name: str
    source: str | None  # the reference it came from, e.g. "vault:secret/responder#github_token"
    value: str | None = field(default=None, repr=False)
    problem: str | None = None
    hint: str | None = None

    @property
    def found(self) -> bool:
        return self.value is not None


VaultConnector = Callable[["VaultLogin"], "SecretStore"]


class SecretResolver:
    """Resolves secrets by name, once each; the imperative shell around the references."""

    def __init__(
        self,
        settings: SecretsSettings,
        env: Mapping[str, str],
        *,
        connect: VaultConnector | None = None,
        mask_stream: TextIO | None = None,
    ) -> None:
        self.settings = settings
        self._env = env
        self._connect = connect
        self._mask_stream = mask_stream
        self._vault: SecretStore | None = None
        self._vault_problem: ResponderError | None = None
        self._cache: dict[str, Resolved] = {}

    def resolve(self, name: str) -> Resolved:
        """Never raises for an outside failure: the problem is part of the result."""
        if name not in self._cache:
            self._cache[name] = self._resolve(name)
        return self._cache[name]

    def require(self, name: str) -> str:
        resolved = self.resolve(name)
        if resolved.value is None:
            raise SecretsError(f"{name}: {resolved.problem}", hint=resolved.hint)
        return resolved.value

    def optional(self, name: str) -> str | None:
        """The value if it is set; a configured but failing reference is still an error."""
        resolved = self.resolve(name)
        if resolved.value is None and name in self.settings.configured:
            raise SecretsError(f"{name}: {resolved.problem}", hint=resolved.hint)
        return resolved.value

    def reference(self, name: str, reference: Reference) -> Resolved:
        """A value named by a reference outside the fixed secrets (a notify target's URL), once each.
        Never raises for an outside failure: the problem is part of the result."""
        key = f"{name}\0{reference}"
        if key not in self._cache:
            found = self._lookup(name, reference)
            self._cache[key] = found or Resolved(name, str(reference), problem=f"not set ({reference} is empty)",
                                                 hint=f"Set {reference}, or change {name} in responder.yml.")
        return self._cache[key]

    def _resolve(self, name: str) -> Resolved:
        references = self.settings.references.get(name)
        if references is None:
            return Resolved(name, None, problem="not a secret the responder knows")
        for reference in references:
            found = self._lookup(name, reference)
            if found is not None:
                return found
        shown = " or ".join(str(r) for r in references)
        if not references:
            return Resolved(name, None, problem="not set (no reference in responder.yml secrets)",
                            hint=f"optional: {DESCRIPTIONS[name]}")
        return Resolved(name, None, problem=f"not set ({shown} is empty)",
                        hint=f"Set it, or point secrets.{name} at Vault in responder.yml.")

    def _lookup(self, name: str, reference: Reference) -> Resolved | None:
        """One reference: its value, a Vault problem, or None for an unset environment variable."""
        if isinstance(reference, EnvReference):
            value = self._env.get(reference.name) or None
            return self._found(name, reference, value) if value is not None else None
        try:
            value = self._vault_session().read(reference.mount, reference.path, reference.key)
        except ResponderError as exc:
            return Resolved(name, str(reference), problem=exc.message, hint=exc.hint)
        return self._found(name, reference, value)

    def _found(self, name: str, reference: Reference, value: str) -> Resolved:
        process_redactor.add(value)
        if self._env.get("GITHUB_ACTIONS") == "true" and self._mask_stream is not None:
            # The runner hides the value in every later log line of the job, ours or any tool's.
            for line in value.splitlines() or [value]:
                if line.strip():
                    self._mask_stream.write(f"::add-mask::{line}\n")
            self._mask_stream.flush()
        return Resolved(name, str(reference), value=value)

    def _vault_session(self) -> SecretStore:
        if self._vault is not None:
            return self._vault
        if self._vault_problem is not None:
            raise self._vault_problem
        from responder.adapters.vault import connect, login_from_settings

        try:
            login = login_from_settings(self.settings.vault or {}, self._env)
            self._vault = (self._connect or connect)(login)
        except ResponderError as exc:
            # One failed login explains every Vault secret; don't retry it per secret.
            self._vault_problem = exc
            raise
        return self._vault


# One resolver per loaded config and environment: the GitHub client, the cluster, the pushes and the
# state key of one run share it, so Vault is logged in to once and each secret read once.
_RESOLVERS: dict[int, tuple[weakref.ref[Config], Mapping[str, str], SecretResolver]] = {}


def resolver_for(config: Config | None, env: Mapping[str, str], mask_stream: TextIO | None = None) -> SecretResolver:
    if config is None:
        return SecretResolver(settings_from_config(config), env, mask_stream=mask_stream)
    known = _RESOLVERS.get(id(config))
    # A dead reference means another config now has this id: never reuse its resolver.
    if known is not None and known[0]() is config and known[1] is env:
        resolver = known[2]
        if resolver._mask_stream is None:
            resolver._mask_stream = mask_stream
        return resolver
    for stale in [key for key, (ref, _, _) in _RESOLVERS.items() if ref() is None]:
        del _RESOLVERS[stale]
    resolver = SecretResolver(settings_from_config(config), env, mask_stream=mask_stream)
    _RESOLVERS[id(config)] = (weakref.ref(config), env, resolver)
    return resolver


def github_token(config: Config, env: Mapping[str, str]) -> str | None:
    """The token the responder's commits are pushed with (responder.yml's secrets, Vault included)."""
    return resolver_for(config, env).optional("github_token")
