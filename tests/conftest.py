"""Shared fixtures live in tests/fixtures/, one module per kind of real peer.

Hypothesis runs derandomized (the same examples on every run, so a failure
reproduces) and without timing health checks: a busy CI machine must not turn
a slow example into a failure; a crash or a wrong answer still fails.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "suite",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("suite")

pytest_plugins = [
    "tests.fixtures.redis_server",
    "tests.fixtures.postgres_server",
    "tests.fixtures.live_server",
    "tests.fixtures.browser",
]
