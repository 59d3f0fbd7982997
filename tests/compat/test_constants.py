"""PHP's constants in sockkit.compat: generated, complete, and valued by the running OS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sockkit.compat as compat
from sockkit.compat import constants

ROOT = Path(__file__).resolve().parents[2]
PHP_LINUX_VALUES = ROOT / "tests" / "data" / "php82_constants.txt"


def _php_values() -> dict[str, int]:
    lines = PHP_LINUX_VALUES.read_text().split()
    return {name: int(value) for name, value in (line.split("=") for line in lines)}


def test_generated_file_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_compat_constants.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_php_constant_is_known() -> None:
    assert set(_php_values()) <= set(constants.NAMES)


@pytest.mark.skipif(sys.platform != "linux", reason="the reference values are Linux's")
def test_values_are_linux_phps() -> None:
    php = _php_values()
    ours = {name: int(getattr(compat, name)) for name in php}
    assert ours == php


def test_all_lists_exactly_what_exists() -> None:
    for name in compat.__all__:
        assert hasattr(compat, name), name
    defined = [name for name in constants.NAMES if hasattr(constants, name)]
    assert defined == constants.__all__
    assert set(defined) <= set(compat.__all__)


def test_star_import_gives_the_surface() -> None:
    namespace: dict[str, object] = {}
    exec("from sockkit.compat import *", namespace)
    for name in (
        "socket_create",
        "socket_read",
        "Ref",
        "silenced",
        "Socket",
        "AF_INET",
        "PHP_NORMAL_READ",
        "SOCKET_EADDRINUSE",
        "MCAST_JOIN_GROUP",
    ):
        assert name in namespace


def test_constants_are_ints() -> None:
    for name in constants.__all__:
        assert isinstance(getattr(constants, name), int), name


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX errno values")
def test_socket_error_constants_are_this_oss_errnos() -> None:
    import errno  # noqa: PLC0415

    assert compat.SOCKET_EADDRINUSE == errno.EADDRINUSE
    assert compat.SOCKET_EWOULDBLOCK == errno.EWOULDBLOCK
    assert compat.SOCKET_EAGAIN == errno.EAGAIN
