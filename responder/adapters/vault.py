"""The Vault adapter: the only module that talks to Vault (or OpenBao).

It logs in once (Kubernetes service-account auth, JWT auth, or a token from
VAULT_TOKEN) and reads keys of KV version 2 secrets. Every failure becomes a
VaultError whose message says what went wrong in words an operator can act
on: sealed, unreachable, wrong role, permission denied, missing path.

hvac is imported lazily: commands that never need Vault never load it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from responder.errors import ResponderError
from responder.render.redaction import process_redactor

log = logging.getLogger("responder.adapters.vault")

AUTH_METHODS = ("kubernetes", "jwt", "token")
SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105 - a path


class VaultError(ResponderError):
    """Vault could not be reached, refused the login, or refused a read."""


@dataclass(frozen=True)
class VaultLogin:
    """How to reach and log in to Vault; built from responder.yml and the environment."""

    url: str
    auth: str  # kubernetes | jwt | token
    role: str | None = None
    jwt_path: str = SERVICE_ACCOUNT_TOKEN
    mount: str | None = None  # auth mount path; defaults to the method's name
    namespace: str | None = None
    ca_cert: str | None = None
    timeout_seconds: float = 10.0
    token: str | None = None  # for auth: token (from VAULT_TOKEN)

    @property
    def auth_mount(self) -> str:
        return self.mount or self.auth


class SecretStore(Protocol):
    """A logged-in secret store: all that resolving a `vault:` reference needs (VaultClient is the real one)."""

    def read(self, mount: str, path: str, key: str) -> str: ...


class VaultClient:
    """One logged-in session. Construct it with `connect(login)`."""

    def __init__(self, login: VaultLogin, client: Any) -> None:
        self.login = login
        self._client = client

    def read(self, mount: str, path: str, key: str) -> str:
        """The value of `key` in the KV v2 secret at `mount`/`path`."""
        import hvac.exceptions

        where = f"{mount}/{path}"
        try:
            answer = self._client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=mount, raise_on_deleted_version=True
            )
        except hvac.exceptions.InvalidPath:
            raise VaultError(
                f"Vault has no secret at {where} (KV v2 mount '{mount}')",
                hint=f"Write it with `bao kv put -mount={mount} {path} {key}=...`, or fix the reference.",
            ) from None
        except hvac.exceptions.Forbidden:
            raise VaultError(
                f"Vault denied reading {where}: permission denied",
                hint=(f"The policy of {self._who()} must allow `read` on \"{mount}/data/{path}\". "
                      "Vault also answers this way for a path that does not exist."),
            ) from None
        except Exception as exc:
            raise _describe(exc, self.login, f"reading {where}") from None
        data = ((answer or {}).get("data") or {}).get("data") or {}
        if key not in data:
            keys = ", ".join(sorted(str(k) for k in data)) or "none"
            raise VaultError(f"the secret {where} has no key '{key}' (its keys: {keys})")
        value = data[key]
        if not isinstance(value, str) or not value:
            raise VaultError(f"the secret {where} key '{key}' is empty or not a string")
        process_redactor.add(value)
        return value

    def _who(self) -> str:
        if self.login.auth == "token":
            return "the token in VAULT_TOKEN"
        return f"the role '{self.login.role}' ({self.login.auth} auth at auth/{self.login.auth_mount})"


def connect(login: VaultLogin) -> VaultClient:
    """Log in to Vault and return a session; raises VaultError with a readable reason."""
    import hvac

    client = hvac.Client(
        url=login.url,
        timeout=login.timeout_seconds,
        verify=login.ca_cert or True,
        namespace=login.namespace,
    )
    if login.auth == "token":
        if not login.token:
            raise VaultError("secrets.vault.auth is 'token' but VAULT_TOKEN is not set",
                             hint="Export VAULT_TOKEN, or use kubernetes or jwt auth.")
        process_redactor.add(login.token)
        client.token = login.token
        return VaultClient(login, client)
    jwt = _read_jwt(login.jwt_path)
    try:
        if login.auth == "kubernetes":
            answer = client.auth.kubernetes.login(login.role, jwt, mount_point=login.auth_mount)
        else:
            answer = client.auth.jwt.jwt_login(login.role, jwt, path=login.auth_mount)
    except Exception as exc:
        raise _describe(exc, login, "logging in") from None
    token = ((answer or {}).get("auth") or {}).get("client_token")
    if token:
        process_redactor.add(token)
    log.debug("logged in to Vault at %s with %s auth, role %s", login.url, login.auth, login.role)
    return VaultClient(login, client)


def _read_jwt(path: str) -> str:
    try:
        jwt = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise VaultError(
            f"no service-account token at {path}",
            hint="Run inside a pod with a mounted service-account token, or set secrets.vault.jwt_path.",
        ) from None
    except OSError as exc:
        raise VaultError(f"cannot read the service-account token at {path}: {exc.strerror}") from None
    if not jwt:
        raise VaultError(f"the service-account token file {path} is empty")
    process_redactor.add(jwt)
    return jwt


def _describe(exc: Exception, login: VaultLogin, doing: str) -> VaultError:
    """Turn an hvac or network exception into a message an operator can act on."""
    import hvac.exceptions
    import requests

    where = f"Vault at {login.url}"
    if isinstance(exc, hvac.exceptions.VaultDown):
        return VaultError(f"{where} is sealed ({doing})",
                          hint="Unseal it (`bao operator unseal`) and run again.")
    if isinstance(exc, hvac.exceptions.VaultNotInitialized):
        return VaultError(f"{where} is not initialised ({doing})", hint="Initialise and unseal it first.")
    if isinstance(exc, requests.exceptions.SSLError):
        return VaultError(f"cannot verify the TLS certificate of {where}",
                          hint="Set secrets.vault.ca_cert to the CA bundle that signed it.")
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
        return VaultError(f"cannot reach {where} ({doing}): {type(exc).__name__}",
                          hint="Check secrets.vault.url (or VAULT_ADDR) and that Vault is running.")
    message = _first_error(exc)
    if doing == "logging in":
        method = f"{login.auth} auth at auth/{login.auth_mount}"
        if isinstance(exc, hvac.exceptions.InvalidPath):
            return VaultError(f"{where} has no {method} enabled",
                              hint=f"Enable it (`bao auth enable -path={login.auth_mount} {login.auth}`) "
                                   "or set secrets.vault.mount.")
        lowered = message.lower()
        if "role" in lowered and ("not be found" in lowered or "invalid role" in lowered):
            return VaultError(f"{where} refused the login: the role '{login.role}' does not exist ({method})",
                              hint="Check secrets.vault.role against `bao list auth/"
                                   f"{login.auth_mount}/role`.")
        return VaultError(f"{where} refused the login with role '{login.role}' ({method}): {message}",
                          hint="The role's bound service account, namespace or audience must match this "
                               "pod's token.")
    if isinstance(exc, hvac.exceptions.Unauthorized | hvac.exceptions.Forbidden):
        return VaultError(f"{where} refused {doing}: {message}")
    return VaultError(f"{where} failed {doing}: {type(exc).__name__}: {message}")


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    text = str(errors[0]) if isinstance(errors, list) and errors else str(exc).split(", on ")[0]
    text = " ".join(text.replace("1 error occurred:", "").replace("*", "").split())
    return process_redactor(text)[:300] or type(exc).__name__


def login_from_settings(settings: Mapping[str, Any], env: Mapping[str, str]) -> VaultLogin:
    """A VaultLogin from the validated `secrets.vault` mapping; url falls back to VAULT_ADDR."""
    url = settings.get("url") or env.get("VAULT_ADDR") or ""
    if not url:
        raise VaultError("no Vault address: set secrets.vault.url in responder.yml or VAULT_ADDR")
    auth = settings.get("auth", "kubernetes")
    return VaultLogin(
        url=url,
        auth=auth,
        role=settings.get("role"),
        jwt_path=settings.get("jwt_path") or SERVICE_ACCOUNT_TOKEN,
        mount=settings.get("mount"),
        namespace=settings.get("namespace") or env.get("VAULT_NAMESPACE") or None,
        ca_cert=settings.get("ca_cert") or env.get("VAULT_CACERT") or None,
        timeout_seconds=float(settings.get("timeout_seconds", 10)),
        token=env.get("VAULT_TOKEN") if auth == "token" else None,
    )
