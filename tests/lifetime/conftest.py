"""Every lifetime test checks that it leaves no descriptor open and no thread running."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import pytest

from conftest import open_fds


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail the test if it leaves a descriptor open or a thread running."""
    gc.collect()
    fds_before = open_fds()
    threads_before = threading.active_count()
    yield
    deadline = time.monotonic() + 5.0
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.01)
    gc.collect()
    assert threading.active_count() == threads_before, threading.enumerate()
    fds_after = open_fds()
    assert fds_after == fds_before, f"descriptor leak: {fds_before} open before, {fds_after} after"
