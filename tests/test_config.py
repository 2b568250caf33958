"""Settings: stack config first, then the environment; problems collected and named."""

from __future__ import annotations

import pytest

from pulumi_capillary._config import REGIONS, load_settings
from pulumi_capillary._exceptions import ConfigurationError


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
