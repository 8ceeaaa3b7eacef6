"""SPARQL the package runs, kept as ``.rq`` files beside this module (never inline strings)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``kg/queries/<name>.rq``; ``name`` may include a subfolder (``readmodel/trial``)."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")
