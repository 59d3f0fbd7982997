"""Measure every function in ``src/``: length in lines and cyclomatic complexity.

A function fails when it is longer than ``MAX_LINES`` lines (from its ``def`` to its last
line, not counting its docstring: documentation is welcome) or when its cyclomatic
complexity is above ``MAX_COMPLEXITY``. Complexity is 1, plus 1 for every ``if``/``elif``,
conditional expression, loop, ``except`` clause, ``case``, comprehension clause and every
extra operand of ``and``/``or``; a nested function or class is measured on its own.

``ALLOWED`` names the functions that may exceed the limits for now (none today). An
allowed function that meets the limits is reported too, so the list only shrinks.

Usage::

    python tools/check_complexity.py            # exit 1 and list offenders if any
    python tools/check_complexity.py --report   # every function over half a limit

``tests/test_complexity.py`` runs the check.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"
MAX_LINES = 60
MAX_COMPLEXITY = 20

# "path/relative/to/src.py:Qualified.name". Empty: every function fits the limits.
ALLOWED: frozenset[str] = frozenset()

_BRANCHES = (
    ast.If,
    ast.IfExp,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ExceptHandler,
    ast.match_case,
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class Measure(NamedTuple):
    """One function's figures."""

    name: str  # "sockkit/socket.py:Socket.read"
    lines: int
    complexity: int

    def over(self) -> bool:
        return self.lines > MAX_LINES or self.complexity > MAX_COMPLEXITY


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``function``'s body, not descending into nested scopes."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def complexity(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """McCabe's number, counted on the syntax tree as the module docstring says."""
    total = 1
    for node in _own_nodes(function):
        if isinstance(node, _BRANCHES):
            total += 1
        elif isinstance(node, ast.BoolOp):
            total += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            total += 1 + len(node.ifs)
    return total


def length(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from ``def`` to the end, without the docstring."""
    end = function.end_lineno or function.lineno
    lines = end - function.lineno + 1
    first = function.body[0] if function.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        lines -= (first.end_lineno or first.lineno) - first.lineno + 1
    return lines


def _functions(
    tree: ast.AST, prefix: str = ""
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + node.name
            yield name, node
            yield from _functions(node, name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")
        else:
            yield from _functions(node, prefix)


def measure(root: Path = SOURCE) -> list[Measure]:
    """Every function under ``root``, in file and source order."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(root).as_posix()
        for name, node in _functions(tree):
            found.append(Measure(f"{where}:{name}", length(node), complexity(node)))
    return found


def problems(measures: list[Measure]) -> list[str]:
    """Offenders outside ``ALLOWED``, and ``ALLOWED`` entries that no longer need to be."""
    found = []
    names = {m.name for m in measures}
    for m in measures:
        if m.over() and m.name not in ALLOWED:
            found.append(f"{m.name}: {m.lines} lines, complexity {m.complexity}")
        elif m.name in ALLOWED and not m.over():
            found.append(f"{m.name}: now within the limits; remove it from ALLOWED")
    found += [f"{name}: in ALLOWED but not found" for name in sorted(ALLOWED - names)]
    return found


def main(argv: list[str]) -> int:
    measures = measure()
    if "--report" in argv:
        for m in measures:
            if m.lines > MAX_LINES // 2 or m.complexity > MAX_COMPLEXITY // 2:
                print(f"{m.lines:4d} lines  complexity {m.complexity:3d}  {m.name}")
        return 0
    found = problems(measures)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(
            f"functions must be at most {MAX_LINES} lines and complexity {MAX_COMPLEXITY}",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
