"""Helpers for the compat tests: expected PHP warnings and exact messages."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from sockkit.errors import SocketWarning


@contextmanager
def php_warning(message: str) -> Iterator[None]:
    """Expect exactly one SocketWarning whose text is ``message``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    texts = [str(w.message) for w in caught if issubclass(w.category, SocketWarning)]
    assert texts == [message], texts


@contextmanager
def no_warning() -> Iterator[None]:
    """Expect no SocketWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    texts = [str(w.message) for w in caught if issubclass(w.category, SocketWarning)]
    assert texts == [], texts


def exact(text: str) -> str:
    """A ``pytest.raises(match=...)`` pattern for exactly ``text``."""
    return "^" + re.escape(text) + "$"
