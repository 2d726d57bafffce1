"""Secret references and where each secret is looked for (the pure part, and the environment)."""

from __future__ import annotations

import io

import pytest

from responder.adapters.secrets import SecretResolver
from responder.config.loader import Config
from responder.config.secrets import EnvReference, VaultReference, parse_reference, settings_from_section
from responder.errors import ConfigError


@pytest.mark.parametrize(("text", "expected"), [
    ("env:GITHUB_TOKEN", EnvReference("GITHUB_TOKEN")),
    ("vault:secret/responder#github_token", VaultReference("secret", "responder", "github_token")),
    ("vault:kv/ci/infra/responder#token", VaultReference("kv", "ci/infra/responder", "token")),
])
def test_references_parse(text: str, expected: object) -> None:
    assert parse_reference(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["GITHUB_TOKEN", "env:", "env:1X", "vault:secret#k", "vault:secret/p",
                                  "vault:secret/p/#k", "vault:secret//p#k", "file:/etc/passwd"])
def test_anything_else_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="is not a secret reference"):
        parse_reference(text)


def test_without_a_secrets_section_the_environment_is_used_as_before() -> None:
    resolver = SecretResolver(settings_from_section({}), {"GH_TOKEN": "gho_" + "x" * 36})
    github = resolver.resolve("github_token")
    assert (github.source, github.found) == ("env:GH_TOKEN", True)
    woodpecker = resolver.resolve("woodpecker_token")
    assert (woodpecker.found, woodpecker.problem) == (False, "not set (env:WOODPECKER_TOKEN is empty)")
    assert resolver.optional("woodpecker_token") is None  # not configured: optional


def test_a_configured_secret_that_is_missing_is_an_error() -> None:
    resolver = SecretResolver(settings_from_section({"woodpecker_token": "env:WP"}), {})
    with pytest.raises(Exception, match="woodpecker_token: not set"):
        resolver.optional("woodpecker_token")


def test_values_are_masked_only_inside_github_actions() -> None:
    value = "ghp_" + "m" * 36
    outside, inside = io.StringIO(), io.StringIO()
    SecretResolver(settings_from_section({}), {"GITHUB_TOKEN": value}, mask_stream=outside).resolve("github_token")
    SecretResolver(settings_from_section({}), {"GITHUB_TOKEN": value, "GITHUB_ACTIONS": "true"},
                   mask_stream=inside).resolve("github_token")
    assert outside.getvalue() == ""
    assert inside.getvalue() == f"::add-mask::{value}\n"


def test_vault_references_need_a_vault_section_and_a_role() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_section({"github_token": "vault:secret/r#k"})
    assert raised.value.problems == ("secrets: a vault: reference needs a secrets.vault section (url, auth, role)",)
    with pytest.raises(ConfigError) as raised:
        settings_from_section({"vault": {"auth": "jwt"}, "github_token": "vault:secret/r#k"})
    assert raised.value.problems == ("secrets.vault.role: jwt auth needs a role",)


def test_one_run_shares_one_resolver_so_vault_is_logged_in_to_once(example_config: Config) -> None:
    from responder.adapters.secrets import resolver_for

    env = {"GITHUB_TOKEN": "ghs_" + "r" * 36}
    first = resolver_for(example_config, env)
    assert resolver_for(example_config, env) is first  # the client, the cluster and the pushes of one run
    assert resolver_for(example_config, dict(env)) is not first  # another environment: another resolver
    assert resolver_for(None, env) is not resolver_for(None, env)  # no config: nothing to share
