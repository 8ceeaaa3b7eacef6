"""Which tests share a ``pytest -n`` worker: those that share expensive setup.

Why: under ``pytest-xdist``'s default ``load`` distribution each worker takes tests one by one
from every part of the suite, so each worker started every backend's servers (``oxigraph
serve``, Virtuoso, ``kg serve``) and built every module's stores: the costliest setup ran twice.
:class:`GroupedScheduling` sends the tests of one group to one worker, and every other test one
by one as before. A group is the store backend of an API test (tests/api/conftest.py's
``backend``: its servers, built stores and per-backend module fixtures), or one of
:data:`SHARED_SETUP`.

Why node ids and not ``xdist_group`` marks: xdist's ``loadgroup`` reads a group that the worker
appends to each node id, and pytest 9 no longer lets a plugin change a node id, so the marks
are silently ignored there. The controller sees node ids only, so groups are read from them.
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # no stubs

from tests.backends import BACKENDS

SHARED_SETUP: dict[str, str] = {
    "tests/api/graphql/test_listing_pages.py::": "listing-pages",
    "tests/api/graphql/test_listings.py::test_trial_filters_stay_fast_as_trials_grow[": (
        "listings-crowded"
    ),
    "tests/kg/stores/test_sparql_virtuoso.py::": "backend-sparql-virtuoso",
    "tests/kg/test_validate_incremental.py::": "validate-incremental",
    "tests/kg/test_validate.py::": "validate",
    "tests/kg/test_checks.py::": "checks",
}
"""Node id prefix -> group, for tests whose module fixtures take seconds to build: the synthetic
corpora of the listing tests, the 150-trial store, the validation reports and check results of
the shipped graph. The Virtuoso store tests take their server from the Virtuoso API tests' pool
(tests/backends.py), so they share that backend's worker."""

_LONGEST_FIRST = sorted(BACKENDS, key=len, reverse=True)
"""``oxigraph-disk-…`` must be read as ``oxigraph-disk``, not ``oxigraph``."""


def worker_group(nodeid: str) -> str | None:
    """The group of the test ``nodeid``, or None for a test any worker may take.

    An API test's backend is the first part of its parameter id (``[sparql-virtuoso-where0-1]``),
    as pytest puts the session-scoped ``backend`` parameter first.

    >>> worker_group("tests/api/sparql/test_hostile.py::test_time_limit_names_the_limit[memory]")
    'backend-memory'
    >>> worker_group("tests/api/graphql/test_listings.py::test_trial_filters[oxigraph-disk-where0-1]")
    'backend-oxigraph-disk'
    >>> worker_group("tests/kg/test_validate.py::test_a_violation_breaks_conformance")
    'validate'
    >>> worker_group("tests/kg/test_cli.py::test_stats_text") is None
    True
    """
    for prefix, group in SHARED_SETUP.items():
        if nodeid.startswith(prefix):
            return group
    path, _, name = nodeid.partition("::")
    if not path.startswith("tests/api/") or not name.endswith("]") or "[" not in name:
        return None
    params = name[name.index("[") + 1 : -1]
    for backend in _LONGEST_FIRST:
        if params == backend or params.startswith(f"{backend}-"):
            return f"backend-{backend}"
    return None


class GroupedScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    """xdist's scope scheduling with :func:`worker_group` as the scope; an ungrouped test is a
    scope of its own, handed to whichever worker is free, as under ``load``.

    Scopes go out largest first, so the long backend groups start at once and the single tests
    fill in around them.
    """

    def _split_scope(self, nodeid: str) -> str:
        return worker_group(nodeid) or nodeid
