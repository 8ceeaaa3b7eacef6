"""Programs the tests run beside the Python packages (Virtuoso, Chromium), as
``scripts/provision.py`` installs them: tests only look for them, never install them.

A missing one skips the tests that need it, with what to install; under ``CI=true``, where every
backend is required, it fails them instead.
"""

from __future__ import annotations

import shutil

import pytest

from scripts.provision import PROGRAMS, ci_requires_everything


def program(command: str) -> str:
    """The path of ``command``, one of :data:`scripts.provision.PROGRAMS`; skips (or, under
    ``CI=true``, fails) the calling test when it is not installed."""
    (known,) = [p for p in PROGRAMS if p.command == command]
    found = shutil.which(command)
    if found:
        return found
    message = (
        f"{command} is not installed: run `python3 scripts/provision.py` as root (`make test` "
        f"does), which installs Debian's {known.package}"
    )
    if ci_requires_everything():
        pytest.fail(f"{message}; CI=true requires every test backend", pytrace=False)
    pytest.skip(message)
