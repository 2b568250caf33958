"""Settings: stack config first, then the environment; problems collected and named."""

from __future__ import annotations

import pytest

from pulumi_capillary.api.problems import REGIONS
from pulumi_capillary.api.settings import load_settings
from pulumi_capillary.exceptions import ConfigurationError


def _config(values: dict):
    return values.get


def test_config_wins_over_environment():
    settings = load_settings(
        _config(
            {"capillary:region": "us", "capillary:username": "till", "capillary:password": "pw"}
        ),
        {"CAPILLARY_REGION": "eu", "CAPILLARY_USERNAME": "other", "CAPILLARY_PASSWORD": "x"},
    )
    assert settings.base_url == REGIONS["us"]
    assert settings.username == "till"
    assert settings.password.get_secret_value() == "pw"
    settings.require_connection()


def test_environment_fallback_and_base_url_override():
    settings = load_settings(
        None,
        {
            "CAPILLARY_REGION": "eu",
            "CAPILLARY_BASE_URL": "http://127.0.0.1:9/",
            "CAPILLARY_OAUTH_KEY": "k",
            "CAPILLARY_OAUTH_SECRET": "s",
            "CAPILLARY_USERNAME": "u",
            "CAPILLARY_PASSWORD": "p",
            "CAPILLARY_ON_IMMUTABLE_CHANGE": "Replace",
            "CAPILLARY_DELETION_POLICY": "delete",
        },
    )
    assert settings.base_url == "http://127.0.0.1:9"
    assert settings.uses_oauth  # preferred over Basic when both are set
    assert (settings.on_immutable_change, settings.deletion_policy) == ("replace", "delete")


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({}, "capillary:region (or CAPILLARY_REGION)"),
        (
            {"CAPILLARY_REGION": "mars", "CAPILLARY_USERNAME": "u", "CAPILLARY_PASSWORD": "p"},
            "'mars', not one of apac",
        ),
        ({"CAPILLARY_REGION": "eu"}, "no credentials"),
        (
            {"CAPILLARY_REGION": "eu", "CAPILLARY_USERNAME": "u"},
            "needs both username and password: set capillary:password (or CAPILLARY_PASSWORD)",
        ),
        (
            {"CAPILLARY_REGION": "eu", "CAPILLARY_OAUTH_SECRET": "s"},
            "set capillary:oauthKey (or CAPILLARY_OAUTH_KEY)",
        ),
        (
            {
                "CAPILLARY_REGION": "eu",
                "CAPILLARY_USERNAME": "u",
                "CAPILLARY_PASSWORD": "p",
                "CAPILLARY_DELETION_POLICY": "keep",
            },
            "capillary:deletionPolicy",
        ),
        (
            {
                "CAPILLARY_REGION": "eu",
                "CAPILLARY_USERNAME": "u",
                "CAPILLARY_PASSWORD": "p",
                "CAPILLARY_TIMEOUT_SECONDS": "soon",
            },
            "not a number of seconds",
        ),
        *(
            (
                {
                    "CAPILLARY_REGION": "eu",
                    "CAPILLARY_USERNAME": "u",
                    "CAPILLARY_PASSWORD": "p",
                    "CAPILLARY_READS_IN_FLIGHT": given,
                },
                f"capillary:readsInFlight (or CAPILLARY_READS_IN_FLIGHT) is {given!r}, not a "
                "whole number from 1 to 16",
            )
            for given in ("0", "17", "many", "2.5")
        ),
    ],
)
def test_problems_are_reported_at_first_use_naming_key_and_variable(values, words):
    settings = load_settings(None, values)
    with pytest.raises(ConfigurationError) as caught:
        settings.require_connection()
    assert words in str(caught.value)
    assert "pulumi config set" in str(caught.value)


def test_secrets_do_not_show_in_repr():
    settings = load_settings(
        None,
        {
            "CAPILLARY_REGION": "eu",
            "CAPILLARY_USERNAME": "u",
            "CAPILLARY_PASSWORD": "hunter2-secret",
            "CAPILLARY_OAUTH_KEY": "k",
            "CAPILLARY_OAUTH_SECRET": "oauth-secret-value",
        },
    )
    assert "hunter2-secret" not in repr(settings)
    assert "oauth-secret-value" not in repr(settings)


_BASIC = {"CAPILLARY_USERNAME": "u", "CAPILLARY_PASSWORD": "p"}


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"CAPILLARY_BASE_URL": "http://eu.api.capillarytech.com"}, "needs TLS: use https://"),
        (
            {
                "CAPILLARY_BASE_URL": "http://eu.api.capillarytech.com",
                "CAPILLARY_ALLOW_INSECURE_HTTP": "true",
            },
            "needs TLS",  # a region's host: never in plain text, opt-in or not
        ),
        ({"CAPILLARY_BASE_URL": "http://proxy.internal:8080"}, "allowInsecureHttp"),
        ({"CAPILLARY_BASE_URL": "eu.api.capillarytech.com"}, "must be an https:// URL"),
        ({"CAPILLARY_BASE_URL": "ftp://eu.api.capillarytech.com"}, "must be an https:// URL"),
        ({"CAPILLARY_BASE_URL": "javascript:alert(1)"}, "must be an https:// URL"),
        ({"CAPILLARY_BASE_URL": "http://[::1"}, "not a valid URL"),
        (
            {"CAPILLARY_REGION": "eu", "CAPILLARY_BASE_URL": "https://us.api.capillarytech.com"},
            "'eu' but capillary:baseUrl (or CAPILLARY_BASE_URL) is the 'us' region's host",
        ),
        ({"CAPILLARY_REGION": "eu", "CAPILLARY_TIMEOUT_SECONDS": "nan"}, "timeoutSeconds"),
        ({"CAPILLARY_REGION": "eu", "CAPILLARY_RETRY_DEADLINE_SECONDS": "inf"}, "positive"),
        ({"CAPILLARY_REGION": "eu", "CAPILLARY_RETRY_BACKOFF_SECONDS": "0"}, "positive"),
        ({"CAPILLARY_REGION": "eu", "CAPILLARY_CONNECT_TIMEOUT_SECONDS": "-1"}, "positive"),
    ],
)
def test_bad_connection_settings_are_configuration_errors(values, words):
    settings = load_settings(None, {**_BASIC, **values})
    with pytest.raises(ConfigurationError, match="not configured") as caught:
        settings.require_connection()
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:8080/api"]
)
def test_plain_http_is_fine_for_this_machine(url):
    load_settings(None, {**_BASIC, "CAPILLARY_BASE_URL": url}).require_connection()


def test_proxy_over_plain_http_with_the_opt_in():
    settings = load_settings(
        None,
        {
            **_BASIC,
            "CAPILLARY_BASE_URL": "http://proxy.internal:8080",
            "CAPILLARY_ALLOW_INSECURE_HTTP": "true",
        },
    )
    settings.require_connection()
    assert settings.allow_insecure_http


def test_credentials_in_the_url_are_refused_without_repeating_them():
    settings = load_settings(
        None, {**_BASIC, "CAPILLARY_BASE_URL": "https://till:Sekrit-Pw-77@eu.api.capillarytech.com"}
    )
    with pytest.raises(ConfigurationError) as caught:
        settings.require_connection()
    assert "must not carry credentials" in str(caught.value)
    for text in (str(caught.value), repr(settings), str(settings.problems)):
        assert "Sekrit-Pw-77" not in text and "till:" not in text


def test_problems_carry_their_field_and_policies_are_picked_by_it():
    from pulumi_capillary.api.settings import policy_problems

    settings = load_settings(
        None,
        {
            **_BASIC,
            "CAPILLARY_REGION": "eu",
            "CAPILLARY_DELETION_POLICY": "keep",
            "CAPILLARY_TIMEOUT_SECONDS": "soon",
        },
    )
    assert {p.field for p in settings.problems} == {"deletion_policy", "timeout_seconds"}
    assert [p.field for p in policy_problems(settings)] == ["deletion_policy"]
    assert settings.timeout_seconds == 30.0  # a refused value leaves the default in force
    assert settings.deletion_policy == "abandon"


def test_an_empty_stack_value_falls_back_to_the_environment():
    settings = load_settings(
        _config({"capillary:region": "", "capillary:timeoutSeconds": "7"}),
        {**_BASIC, "CAPILLARY_REGION": "us", "CAPILLARY_TIMEOUT_SECONDS": "9"},
    )
    assert settings.base_url == REGIONS["us"] and settings.timeout_seconds == 7.0
    settings.require_connection()
