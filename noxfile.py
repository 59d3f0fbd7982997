"""The whole test suite on every supported Python: ``nox`` (one session: ``nox -s tests-3.10``).

Each session makes a virtual environment with that Python, installs sockkit with its
``test`` extra, and runs pytest; a Python that cannot be found fails the run, it is
not skipped.  Interpreters are looked up as ``python3.10`` … on ``PATH``, with
pyenv's version folders put first: pyenv's shims answer only for the selected
version, so a shim ``python3.10`` would fail where ``versions/3.10.*/bin`` works.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True
nox.options.reuse_existing_virtualenvs = True


def _version_key(folder: Path) -> tuple[int, ...]:
    """``3.10.13`` sorts after ``3.10.9``; a suffix such as ``-dev`` sorts first."""
    parts = folder.name.split(".")
    return tuple(int(part) if part.isdigit() else -1 for part in parts)


def _pyenv_bins() -> list[str]:
    """The newest ``bin`` folder pyenv has for each version of `PYTHONS`."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    bins = []
    for version in PYTHONS:
        found = sorted(root.glob(f"{version}.*"), key=_version_key)
        if found and (found[-1] / "bin" / f"python{version}").exists():
            bins.append(str(found[-1] / "bin"))
    return bins


os.environ["PATH"] = os.pathsep.join([*_pyenv_bins(), os.environ.get("PATH", "")])


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole suite (pass pytest arguments after ``--``)."""
    session.install("-e", ".[test]")
    # The checkout's own sources, whatever an outer PYTHONPATH says.
    session.env["PYTHONPATH"] = str(Path("src").resolve())
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
