"""1,000 concurrent loopback clients through a sockkit Selector echo server, SHA-256 checked.

The harness is ``benchmarks/soak.py`` (server here in a child process, clients in
its own child), run with 1,000 connections of 256 KiB each; the soak benchmark is
the same program with 10,000.  Figures are printed (``pytest -s`` shows them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sockkit

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"
CONNECTIONS = 1000
BYTES = 256 << 10

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def _fd_hard_limit() -> int:
    import resource  # noqa: PLC0415 - POSIX only

    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


@pytest.mark.skipif(
    _fd_hard_limit() != -1 and _fd_hard_limit() < CONNECTIONS + 300,
    reason=f"the hard RLIMIT_NOFILE is below {CONNECTIONS + 300}",
)
def test_thousand_concurrent_clients_lose_nothing() -> None:
    src = str(Path(sockkit.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [
            sys.executable,
            str(SOAK),
            f"--connections={CONNECTIONS}",
            f"--bytes={BYTES}",
            "--idle=0.5",
            "--time-limit=240",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print()
    for key, value in report.items():
        print(f"  {key}: {value}")
    assert report["connections accepted"] == CONNECTIONS
    assert report["connections held idle"] == CONNECTIONS
    assert report["connections verified"] == CONNECTIONS
    assert report["bytes sent"] == CONNECTIONS * BYTES
    assert report["bytes echoed"] == CONNECTIONS * BYTES
    assert report["bytes lost"] == 0
    assert report["connections corrupted"] == 0
    assert report["connections still open at the end"] == 0
    assert report["client exit code"] == 0
    assert report["ok"] is True
    assert result.returncode == 0
