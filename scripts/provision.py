#!/usr/bin/env python3
"""Install the programs the tests need beside the Python packages: ``make test`` runs this first.

Why a script and not the tests: a test that installs what it needs (``apt-get`` from a fixture)
runs as whoever runs pytest, races the other test worker for dpkg's lock, and turns a missing
server into a skip no one reads. Here it happens once, before any test, where it can be seen.

What: :data:`PROGRAMS`, each a command, the Debian package that brings it, and what needs it.
Idempotent and quick: a program already on ``PATH`` is left alone (nothing is run then). As root
with ``apt-get``, the missing packages are installed (the package lists refreshed first only if
the install fails). Otherwise nothing is changed and the script says what is missing and how to
install it; the tests that need a missing program are then skipped, saying so
(``tests/programs.py``). Under ``CI=true`` every program is required: a missing one fails this
script, and the tests that need it fail instead of skipping.

Run: ``python3 scripts/provision.py`` (stdlib only; ``--check`` reports without installing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    """A command the tests run, and where it comes from."""

    command: str
    package: str
    needed_by: str


PROGRAMS = (
    Program("virtuoso-t", "virtuoso-opensource-7-bin", "the remote-store tests over Virtuoso"),
    Program("isql-vt", "virtuoso-opensource-7-bin", "the remote-store tests over Virtuoso"),
    Program("chromium", "chromium", "the browser tests (headless Chromium)"),
    Program("chromedriver", "chromium-driver", "the browser tests driven over WebDriver"),
)
"""Why only the Virtuoso binaries (``-bin``): the full ``virtuoso-opensource`` package also
installs a system service with its own database and asks for a DBA password through debconf; the
tests run their own instance in a temporary folder (tests/servers.py)."""

APT_TIMEOUT_SECONDS = 1200


def ci_requires_everything() -> bool:
    """Whether this is a CI run, where a missing program is an error, not a skip."""
    return os.environ.get("CI", "").strip().lower() == "true"


def missing() -> list[Program]:
    """The programs not on ``PATH``."""
    return [program for program in PROGRAMS if shutil.which(program.command) is None]


def _apt_get(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # Wait for dpkg's lock rather than fail when another install holds it.
        ["apt-get", "-q", "-y", "-o", "DPkg::Lock::Timeout=300", *arguments],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=APT_TIMEOUT_SECONDS,
        check=False,
    )


def install(packages: list[str]) -> str:
    """Install Debian packages; "" on success, else apt's last words."""
    result = _apt_get("install", *packages)
    if result.returncode != 0:  # a fresh machine may have no package lists yet
        _apt_get("update")
        result = _apt_get("install", *packages)
    if result.returncode == 0:
        return ""
    said = (result.stderr or result.stdout).strip().splitlines()[-3:]
    return f"apt-get install failed ({result.returncode}): {' / '.join(said)}"


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report what is missing only")
    args = parser.parse_args(argv)
    absent = missing()
    if not absent:
        return 0
    packages = sorted({program.package for program in absent})
    why = ""
    if not args.check and can_install():
        print(f"provision: installing {' '.join(packages)}", file=sys.stderr)
        why = install(packages)
        absent = missing()
        if not absent:
            return 0
    elif not args.check:
        why = "installing needs root and apt-get"
    for program in absent:
        print(
            f"provision: {program.command} is missing (Debian package {program.package}), "
            f"needed by {program.needed_by}",
            file=sys.stderr,
        )
    print(
        f"provision: {why + '; ' if why else ''}as root: apt-get install "
        f"{' '.join(sorted({p.package for p in absent}))} (or run this script as root)",
        file=sys.stderr,
    )
    if ci_requires_everything():
        print("provision: CI=true, where every test backend is required: failing", file=sys.stderr)
        return 1
    print("provision: the tests that need them will be skipped, saying why", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
