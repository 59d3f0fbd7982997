"""Helpers for the fault suite: loopback connections, resets, bounded threads, subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sockkit
from sockkit import Linger, Socket, SocketOption

SRC = str(Path(sockkit.__file__).resolve().parent.parent)


def tcp_pair(host: str = "127.0.0.1") -> tuple[Socket, Socket]:
    """A connected TCP pair on loopback: (client, server side)."""
    family = sockkit.AddressFamily.INET6 if ":" in host else sockkit.AddressFamily.INET
    with Socket(family) as listener:
        listener.bind((host, 0))
        listener.listen(1)
        client = Socket(family)
        try:
            client.timeout = 5.0
            client.connect((host, listener.local_address.port))  # type: ignore[union-attr]
            listener.timeout = 5.0
            server, _ = listener.accept()
        except BaseException:
            client.close()
            raise
    client.timeout = None
    return client, server


def reset(sock: Socket) -> None:
    """Close ``sock`` so that the kernel sends RST, not FIN (``SO_LINGER`` on, 0 s)."""
    sock.set_option(SocketOption.LINGER, Linger(True, 0))
    sock.close()


class Call(threading.Thread):
    """Run ``function`` in a daemon thread; keep its result or its exception."""

    def __init__(self, function: Callable[[], Any], delay: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.function = function
        self.delay = delay
        self.result: Any = None
        self.error: BaseException | None = None
        self.ended_at = 0.0

    def run(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        try:
            self.result = self.function()
        except BaseException as exc:  # the test inspects it
            self.error = exc
        finally:
            self.ended_at = time.monotonic()

    def finish(self, timeout: float = 5.0) -> Call:
        """Join within ``timeout`` seconds; fail (not hang) if the thread is still running."""
        self.join(timeout)
        assert not self.is_alive(), f"{self.function} still running after {timeout} s"
        return self


def run_python(code: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports this checkout's sockkit."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def wait_child(pid: int, timeout: float = 10.0) -> int:
    """waitpid with a bound: kill the child and fail if it has not ended in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"child {pid} still running after {timeout} s")
