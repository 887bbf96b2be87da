"""Shared fixtures live in tests/fixtures/, one module per kind of real peer."""

pytest_plugins = [
    "tests.fixtures.redis_server",
    "tests.fixtures.postgres_server",
    "tests.fixtures.live_server",
    "tests.fixtures.browser",
]
