"""How the cost of one wait grows with the number of registered sockets.

For N = 100, 1,000 and 10,000 registered sockets, exactly one of them readable,
this times one ``select(timeout=0)`` of sockkit's ``Selector`` and of Python's
``selectors.DefaultSelector`` over the very same sockets, in the same run,
interleaved, and prints the per-wait times and their ratio (sockkit / stdlib).

Each registered socket is one end of a socket pair (N pairs, 2N descriptors).
The soft ``RLIMIT_NOFILE`` is raised as far as the hard limit allows; where even
that is too low, both ends of N/2 pairs are registered instead (still N
registered sockets), and the table says so.

Run:
    python benchmarks/selector_scaling.py            # N = 100, 1,000, 10,000
    python benchmarks/selector_scaling.py --quick    # N = 100, 1,000; fewer rounds
    python benchmarks/selector_scaling.py --sizes 50 500

The run is bounded: a fixed number of waits per round and a fixed number of
rounds; each wait has timeout 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import selectors
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from sockkit.enums import Event
from sockkit.selector import Selector

DEFAULT_SIZES = (100, 1_000, 10_000)
QUICK_SIZES = (100, 1_000)


def _raise_fd_limit(wanted: int) -> int:
    """Raise the soft descriptor limit towards ``wanted``; return the new soft limit."""
    if resource is None:
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _sockets(n: int) -> tuple[list[socket.socket], list[socket.socket], str]:
    """Return (all sockets to close, the n sockets to register, layout note)."""
    headroom = 64
    limit = _raise_fd_limit(2 * n + headroom)
    if limit >= 2 * n + headroom:
        pairs = [socket.socketpair() for _ in range(n)]
        owned = [s for pair in pairs for s in pair]
        return owned, [pair[1] for pair in pairs], "one end of N pairs"
    if limit < n + headroom:
        raise SystemExit(f"N={n}: the descriptor limit ({limit}) is too low even for N sockets")
    pairs = [socket.socketpair() for _ in range(n // 2)]
    owned = [s for pair in pairs for s in pair]
    return owned, owned[:n], "both ends of N/2 pairs"


def _per_wait(select: Callable[[], object], waits: int) -> float:
    start = time.perf_counter()
    for _ in range(waits):
        select()
    return (time.perf_counter() - start) / waits


def measure(n: int, *, rounds: int, waits: int) -> tuple[float, float, str]:
    """Best per-wait seconds for (sockkit, stdlib) with ``n`` registered and one ready."""
    owned, registered, layout = _sockets(n)
    ours = Selector()
    theirs = selectors.DefaultSelector()
    try:
        for sock in registered:
            ours.register(sock, Event.READ)
            theirs.register(sock, selectors.EVENT_READ)
        # Make exactly one registered socket readable: write to its peer.
        target = registered[len(registered) // 2]
        peer = owned[owned.index(target) ^ 1]
        peer.send(b"x")
        got_ours = ours.select(0)
        got_theirs = theirs.select(0)
        if len(got_ours) != 1 or len(got_theirs) != 1:
            raise SystemExit(f"N={n}: expected one ready socket, got {got_ours!r} / {got_theirs!r}")
        best_ours = best_theirs = float("inf")
        gc.disable()
        try:
            for _ in range(rounds):
                best_ours = min(best_ours, _per_wait(lambda: ours.select(0), waits))
                best_theirs = min(best_theirs, _per_wait(lambda: theirs.select(0), waits))
        finally:
            gc.enable()
    finally:
        ours.close()
        theirs.close()
        for sock in owned:
            sock.close()
    return best_ours, best_theirs, layout


def run(sizes: Sequence[int], *, rounds: int, waits: int) -> list[tuple[int, float, float]]:
    """Measure every size, print the table, and return ``(n, ours, theirs)`` rows."""
    print(f"Selector.select(0) vs {selectors.DefaultSelector.__name__}.select(0), one socket ready")
    print(f"(best of {rounds} rounds of {waits} waits; Python {sys.version.split()[0]})")
    print()
    header = f"{'registered':>10}  {'sockkit µs':>11}  {'selectors µs':>12}  {'ratio':>6}  layout"
    print(header)
    print("-" * len(header))
    rows = []
    for n in sizes:
        ours, theirs, layout = measure(n, rounds=rounds, waits=waits)
        rows.append((n, ours, theirs))
        ratio = ours / theirs
        print(f"{n:>10,}  {ours * 1e6:>11.2f}  {theirs * 1e6:>12.2f}  {ratio:>5.2f}x  {layout}")
    print()
    worst = max(ours / theirs for _n, ours, theirs in rows)
    print(f"worst ratio (sockkit / selectors): {worst:.2f}x (goal: <= 1.20x)")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100, 1,000 and fewer rounds")
    parser.add_argument("--sizes", type=int, nargs="+", help="the values of N to measure")
    parser.add_argument("--rounds", type=int, help="rounds per size (best is kept)")
    parser.add_argument("--waits", type=int, help="waits per round")
    parser.add_argument("--cpu", type=int, help="pin the process to this CPU (Linux)")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    rounds = args.rounds or (3 if args.quick else 7)
    waits = args.waits or (2_000 if args.quick else 20_000)
    run(sizes, rounds=rounds, waits=waits)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
