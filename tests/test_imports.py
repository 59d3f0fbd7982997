"""sockkit and sockkit.compat import where fcntl, termios and resource do not exist."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

_BLOCKED = textwrap.dedent(
    """
    import sys

    BLOCKED = {"fcntl", "termios", "resource"}

    class Refuse:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked (a platform without it)")
            return None

    for name in list(sys.modules):
        if name.partition(".")[0] in BLOCKED or name.startswith("sockkit"):
            del sys.modules[name]
    sys.meta_path.insert(0, Refuse)
    try:
        import fcntl  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the blocker does not block")

    import sockkit
    import sockkit.compat
    from sockkit import Socket

    with Socket.pair() as (left, right):
        left.write_all(b"ok")
        assert right.recv(2) == b"ok"
    leaked = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
    assert not leaked, leaked
    print("imported")
    """
)


def test_import_without_posix_only_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _BLOCKED],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "imported"


# What `import sockkit` must leave unloaded: the layers a script opts into, and the heavy
# standard modules only they need.  A short script pays every module on every run.
_UNWANTED = (
    "sockkit.aio",
    "sockkit.tls",
    "sockkit.batch",
    "sockkit.compat",
    "asyncio",
    "ssl",
    "ctypes",
)


@pytest.mark.parametrize(
    ("statement", "allowed"),
    [
        ("import sockkit", ()),
        # The TLS names are part of the package's API: a star import loads sockkit.tls
        # (and ssl) to resolve them, and nothing else.
        ("from sockkit import *", ("sockkit.tls", "ssl")),
    ],
)
def test_import_sockkit_leaves_the_optional_layers_unloaded(
    statement: str, allowed: tuple[str, ...]
) -> None:
    program = textwrap.dedent(
        f"""
        import sys
        {statement}
        print(sorted(name for name in {_UNWANTED!r} if name in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == repr(sorted(allowed))
