"""Shared by every Python scenario: PHP's output conventions for the line-by-line ports.

``echo`` and ``var_dump`` print as PHP's do (bytes byte for byte), warnings go to stdout
as ``Warning: <message>``, and ``caught`` prints an exception under PHP's class name.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping
from typing import Any

from sockkit.errors import SocketClosedError

__all__ = ["DIR", "PORT", "caught", "echo", "var_dump"]

_OUT = sys.stdout.buffer


def _php_str(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if value is True:
        return b"1"
    if value is False or value is None:
        return b""
    return str(value).encode()


def echo(*parts: object) -> None:
    """PHP's ``echo``: ``True`` prints ``1``, ``False``/``None`` nothing."""
    _OUT.write(b"".join(_php_str(part) for part in parts))
    _OUT.flush()


def _show(
    message: Any, category: Any, filename: Any, lineno: Any, file: Any = None, line: Any = None
) -> None:
    kind = "Deprecated" if issubclass(category, DeprecationWarning) else "Warning"
    echo(kind, ": ", str(message), "\n")


warnings.showwarning = _show
warnings.simplefilter("always")


def caught(exc: BaseException) -> None:
    """Print ``<PHP class>: <message>`` for an exception compat raised."""
    name = "Error" if isinstance(exc, SocketClosedError) else type(exc).__name__
    echo(name, ": ", str(exc), "\n")


def _dump(value: object, indent: str) -> bytes:
    if value is None:
        return b"NULL"
    if isinstance(value, bool):
        return b"bool(true)" if value else b"bool(false)"
    if isinstance(value, int):
        return b"int(%d)" % value
    if isinstance(value, float):
        text = repr(value)
        return ("float(%s)" % (text[:-2] if text.endswith(".0") else text)).encode()
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, (bytes, bytearray)):
        return b'string(%d) "%s"' % (len(value), bytes(value))
    if isinstance(value, (list, tuple, Mapping)):
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        inner = indent + "  "
        lines = [b"array(%d) {" % len(value)]
        for key, item in items:
            label = f"[{key}]" if isinstance(key, int) else f'["{key}"]'
            lines.append(f"{inner}{label}=>".encode())
            lines.append(inner.encode() + _dump(item, inner))
        lines.append(indent.encode() + b"}")
        return b"\n".join(lines)
    raise TypeError(f"var_dump does not know {type(value).__name__}")


def var_dump(*values: object) -> None:
    """PHP's ``var_dump`` for the values compat returns (not for objects)."""
    for value in values:
        echo(_dump(value, ""), "\n")


PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 0
DIR = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
