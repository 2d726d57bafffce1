"""Secrets from a real OpenBao server: JWT and Kubernetes logins, KV v2 reads, and every way it can go wrong.

One dev server per module (started in about a second). The JWTs are signed by
a key pair made here, exactly as a cluster signs service-account tokens; the
Kubernetes auth method checks them with a loopback TokenReview endpoint
that answers in the Kubernetes API's own shape.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from responder.adapters.secrets import SecretResolver
from responder.cli.main import main
from responder.config.secrets import settings_from_section
from responder.render.redaction import process_redactor
from tests.conftest import EXAMPLE_CONFIG
from tests.support.openbao import (
    AUDIENCE,
    SA_NAME,
    SA_NAMESPACE,
    Cluster,
    OpenBao,
    free_port,
    openbao_dev_server,
    token_reviews,
)

GITHUB_TOKEN = "ghs_" + "Vau1tIssuedT0ken" * 3
WOODPECKER_TOKEN = "wp_" + "w00dpeckerSecret" * 2


@dataclass
class Setup:
    bao: OpenBao
    cluster: Cluster
    reviews: Any


@pytest.fixture(scope="module")
def vault() -> Iterator[Setup]:
    cluster = Cluster()
    with openbao_dev_server() as bao, token_reviews(cluster) as reviews:
        admin = bao.admin()
        admin.sys.create_or_update_policy("responder", """
            path "secret/data/responder" { capabilities = ["read"] }
            path "secret/data/ci/*" { capabilities = ["read"] }
        """)
        admin.secrets.kv.v2.create_or_update_secret(
            path="responder", secret={"github_token": GITHUB_TOKEN, "woodpecker_token": WOODPECKER_TOKEN})
        admin.secrets.kv.v2.create_or_update_secret(path="platform", secret={"root_password": "not-for-ci-1"})

        admin.sys.enable_auth_method("jwt")
        admin.write("auth/jwt/config", jwt_validation_pubkeys=[cluster.public_pem()])
        admin.write("auth/jwt/role/ci", role_type="jwt", bound_audiences=[AUDIENCE], user_claim="sub",
                    bound_subject=f"system:serviceaccount:{SA_NAMESPACE}:{SA_NAME}",
                    policies=["responder"], token_ttl="10m")

        admin.sys.enable_auth_method("kubernetes", path="k8s")
        admin.write("auth/k8s/config", kubernetes_host=reviews.url, kubernetes_ca_cert=cluster.ca_pem(),
                    disable_local_ca_jwt=True, token_reviewer_jwt="token-reviewer-jwt")
        admin.write("auth/k8s/role/ci", bound_service_account_names=[SA_NAME],
                    bound_service_account_namespaces=[SA_NAMESPACE], policies=["responder"], token_ttl="10m")
        admin.write("auth/k8s/role/elsewhere", bound_service_account_names=[SA_NAME],
                    bound_service_account_namespaces=["default"], policies=["responder"])
        yield Setup(bao, cluster, reviews)


def jwt_file(tmp_path: Path, setup: Setup, **claims: Any) -> str:
    path = tmp_path / "token"
    path.write_text(setup.cluster.service_account_token(**claims))
    return str(path)


def resolver(section: dict[str, Any], env: dict[str, str] | None = None, stream: io.StringIO | None = None
             ) -> SecretResolver:
    return SecretResolver(settings_from_section(section), env or {}, mask_stream=stream)


def test_jwt_login_reads_the_github_token_from_kv_v2(vault: Setup, tmp_path: Path) -> None:
    secrets = resolver({
        "vault": {"url": vault.bao.url, "auth": "jwt", "role": "ci", "jwt_path": jwt_file(tmp_path, vault)},
        "github_token": "vault:secret/responder#github_token",
        "woodpecker_token": "vault:secret/responder#woodpecker_token",
    })
    github = secrets.resolve("github_token")
    assert (github.value, github.source) == (GITHUB_TOKEN, "vault:secret/responder#github_token")
    assert secrets.require("woodpecker_token") == WOODPECKER_TOKEN
    # Every value found is redacted from anything the responder writes from then on.
    assert process_redactor(f"token={WOODPECKER_TOKEN} and {GITHUB_TOKEN}") == "token=[REDACTED] and [REDACTED]"
    assert GITHUB_TOKEN not in repr(github)


def test_kubernetes_login_goes_through_token_review(vault: Setup, tmp_path: Path) -> None:
    before = len(vault.reviews.seen)
    token = jwt_file(tmp_path, vault)
    secrets = resolver({
        "vault": {"url": vault.bao.url, "auth": "kubernetes", "role": "ci", "mount": "k8s", "jwt_path": token},
        "github_token": "vault:secret/responder#github_token",
    })
    assert secrets.require("github_token") == GITHUB_TOKEN
    review = vault.reviews.seen[before]
    assert review["path"] == "/apis/authentication.k8s.io/v1/tokenreviews"
    assert review["authorization"] == "Bearer token-reviewer-jwt"
    assert review["body"]["spec"]["token"] == Path(token).read_text()


def test_token_auth_uses_vault_token_and_vault_addr(vault: Setup) -> None:
    token = vault.bao.admin().auth.token.create(policies=["responder"], ttl="5m")["auth"]["client_token"]
    secrets = resolver({"vault": {"auth": "token"}, "github_token": "vault:secret/responder#github_token"},
                       {"VAULT_ADDR": vault.bao.url, "VAULT_TOKEN": token})
    assert secrets.require("github_token") == GITHUB_TOKEN


@pytest.mark.parametrize(("section", "expected"), [
    ({"auth": "jwt", "role": "deploy"},
     "refused the login: the role 'deploy' does not exist (jwt auth at auth/jwt)"),
    ({"auth": "kubernetes", "role": "nope", "mount": "k8s"},
     "refused the login: the role 'nope' does not exist (kubernetes auth at auth/k8s)"),
    ({"auth": "kubernetes", "role": "elsewhere", "mount": "k8s"},
     "refused the login with role 'elsewhere' (kubernetes auth at auth/k8s): namespace not authorized"),
    ({"auth": "kubernetes", "role": "ci"},
     "has no kubernetes auth at auth/kubernetes enabled"),
], ids=["jwt-unknown-role", "kubernetes-unknown-role", "kubernetes-wrong-namespace", "auth-not-enabled"])
def test_a_refused_login_says_why(vault: Setup, tmp_path: Path, section: dict[str, Any], expected: str) -> None:
    secrets = resolver({"vault": {"url": vault.bao.url, "jwt_path": jwt_file(tmp_path, vault), **section},
                        "github_token": "vault:secret/responder#github_token"})
    result = secrets.resolve("github_token")
    assert result.value is None
    assert result.problem == f"Vault at {vault.bao.url} {expected}"


def test_a_token_for_another_audience_is_refused(vault: Setup, tmp_path: Path) -> None:
    secrets = resolver({"vault": {"url": vault.bao.url, "auth": "jwt", "role": "ci",
                                  "jwt_path": jwt_file(tmp_path, vault, audience="https://other.example")},
                        "github_token": "vault:secret/responder#github_token"})
    problem = secrets.resolve("github_token").problem or ""
    assert "refused the login with role 'ci' (jwt auth at auth/jwt)" in problem
    assert "audience" in problem


@pytest.mark.parametrize(("reference", "problem", "hint"), [
    ("vault:secret/platform#root_password",
     "Vault denied reading secret/platform: permission denied",
     "The policy of the role 'ci' (jwt auth at auth/jwt) must allow `read` on \"secret/data/platform\". "
     "Vault also answers this way for a path that does not exist."),
    ("vault:secret/ci/missing#github_token",
     "Vault has no secret at secret/ci/missing (KV v2 mount 'secret')",
     "Write it with `bao kv put -mount=secret ci/missing github_token=...`, or fix the reference."),
    ("vault:secret/responder#gitlab_token",
     "the secret secret/responder has no key 'gitlab_token' (its keys: github_token, woodpecker_token)",
     None),
], ids=["permission-denied", "missing-path", "missing-key"])
def test_a_refused_read_says_why(vault: Setup, tmp_path: Path, reference: str, problem: str,
                                 hint: str | None) -> None:
    secrets = resolver({"vault": {"url": vault.bao.url, "auth": "jwt", "role": "ci",
                                  "jwt_path": jwt_file(tmp_path, vault)}, "github_token": reference})
    result = secrets.resolve("github_token")
    assert (result.value, result.problem, result.hint) == (None, problem, hint)


def test_a_sealed_vault_is_named_as_sealed(vault: Setup, tmp_path: Path) -> None:
    admin = vault.bao.admin()
    admin.sys.seal()
    try:
        secrets = resolver({"vault": {"url": vault.bao.url, "auth": "jwt", "role": "ci",
                                      "jwt_path": jwt_file(tmp_path, vault)},
                            "github_token": "vault:secret/responder#github_token"})
        result = secrets.resolve("github_token")
    finally:
        admin.sys.submit_unseal_key(vault.bao.unseal_key)
    assert result.problem == f"Vault at {vault.bao.url} is sealed (logging in)"
    assert result.hint == "Unseal it (`bao operator unseal`) and run again."
    assert not admin.sys.is_sealed()


def test_a_stopped_vault_is_named_as_unreachable(tmp_path: Path, vault: Setup) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    secrets = resolver({"vault": {"url": url, "auth": "jwt", "role": "ci", "jwt_path": jwt_file(tmp_path, vault),
                                  "timeout_seconds": 2},
                        "github_token": "vault:secret/responder#github_token",
                        "woodpecker_token": "vault:secret/responder#woodpecker_token"})
    assert secrets.resolve("github_token").problem == f"cannot reach Vault at {url} (logging in): ConnectionError"
    # One failed login explains every Vault secret: no second attempt.
    assert secrets.resolve("woodpecker_token").problem == secrets.resolve("github_token").problem


# ---------------------------------------------------------------- responder secrets check


def write_config(tmp_path: Path, secrets: dict[str, Any]) -> Path:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["secrets"] = secrets
    path = tmp_path / "responder.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def check(config: Path, env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["secrets", "check", "--config", str(config)], env=env, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_secrets_check_names_each_source_and_never_prints_a_value(vault: Setup, tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "vault": {"url": vault.bao.url, "auth": "kubernetes", "role": "ci", "mount": "k8s",
                  "jwt_path": jwt_file(tmp_path, vault)},
        "github_token": "vault:secret/responder#github_token",
        "woodpecker_token": "env:WOODPECKER_TOKEN",
    })
    code, out, err = check(config, {"WOODPECKER_TOKEN": "wp_from_the_environment_1234"})
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "github_token      ok       from vault:secret/responder#github_token",
        "woodpecker_token  ok       from env:WOODPECKER_TOKEN",
        "agent_token       not set  not set (env:AGENT_SERVICE_TOKEN is empty); optional: agent service token "
        "(optional investigator)",
        "kubeconfig        not set  not set (no reference in responder.yml secrets); optional: kubeconfig for "
        "reading the cluster (else in-cluster or $KUBECONFIG)",
        "state_key         not set  not set (env:RESPONDER_STATE_KEY is empty); optional: key that signs the "
        "responder's state marker (recommended: github-actions[bot] is shared)",
    ]


def test_secrets_check_masks_values_in_github_actions(vault: Setup, tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "vault": {"url": vault.bao.url, "auth": "jwt", "role": "ci", "jwt_path": jwt_file(tmp_path, vault)},
        "github_token": "vault:secret/responder#github_token",
    })
    code, out, _ = check(config, {"GITHUB_ACTIONS": "true"})
    assert code == 0
    # The runner reads ::add-mask:: and hides the value in every later log line; nothing else shows it.
    assert out.splitlines()[0] == f"::add-mask::{GITHUB_TOKEN}"
    assert out.count(GITHUB_TOKEN) == 1


def test_secrets_check_fails_with_the_reason_when_vault_is_sealed(vault: Setup, tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "vault": {"url": vault.bao.url, "auth": "jwt", "role": "ci", "jwt_path": jwt_file(tmp_path, vault)},
        "github_token": "vault:secret/responder#github_token",
    })
    admin = vault.bao.admin()
    admin.sys.seal()
    try:
        code, out, _ = check(config, {})
    finally:
        admin.sys.submit_unseal_key(vault.bao.unseal_key)
    assert code == 1
    assert out.splitlines()[:2] == [
        f"github_token      FAILED   vault:secret/responder#github_token: Vault at {vault.bao.url} is sealed "
        "(logging in)",
        "                           hint: Unseal it (`bao operator unseal`) and run again.",
    ]
