"""A notification rule that raises is logged, not raised (see services._guarded); in tests
such a log line is a failure, so a broken rule cannot pass as "nobody was notified"."""

import logging

import pytest


@pytest.fixture(autouse=True)
def no_failing_rules(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR, logger="forum.notifications")
    yield
    failed = [r for r in caplog.records if r.name.startswith("forum.notifications")
              and r.levelno >= logging.ERROR]
    assert not failed, [r.getMessage() for r in failed]
