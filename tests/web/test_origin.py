"""The exact origin comparison used for websockets (config.origin), as a table."""

import pytest

from config.origin import ExactOriginValidator, normalise_origin


@pytest.mark.parametrize(
    "origin, expected",
    [
        ("http://LocalHost:8000", ("http", "localhost", 8000)),
        ("https://example.org", ("https", "example.org", 443)),
        ("http://[::1]:8000", ("http", "::1", 8000)),
        ("ftp://example.org", None),
        ("http://example.org:99999", None),
        ("", None),
    ],
)
def test_normalise_origin(origin, expected):
    assert normalise_origin(origin) == expected


def test_validator_ignores_malformed_configured_origins():
    assert ExactOriginValidator(None, ["http://a:1", "nonsense"]).allowed == {("http", "a", 1)}
