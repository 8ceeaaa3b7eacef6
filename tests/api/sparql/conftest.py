"""One real server for the protocol tests of this folder: 1 s time limit, 2 workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import KgServer, kg_server


@pytest.fixture(scope="module")
def server() -> Iterator[KgServer]:
    with kg_server() as running:
        yield running
