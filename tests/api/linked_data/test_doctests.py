"""Run the doctests of the HTTP-side modules (``make unit`` collects doctests only under kg/)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from api import conneg
from api.pages import forest, query
from api.routes import linked_data


@pytest.mark.parametrize("module", [conneg, query, forest, linked_data], ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    failures, _ = doctest.testmod(module, verbose=False)
    assert failures == 0
