"""Run the doctests of every module of the HTTP side (``make unit`` collects doctests only under
kg/): found by walking the package, so that a new module's examples run without being listed."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import api

MODULES = sorted(info.name for info in pkgutil.walk_packages(api.__path__, "api."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(name), verbose=False)
    assert failures == 0


def test_the_walk_finds_the_modules_with_examples() -> None:
    """The walk reaches into subpackages (it would pass vacuously if it found nothing)."""
    assert {"api.conneg", "api.paths", "api.pages.query", "api.pages.forest"} <= set(MODULES)
