"""What an import reports, whatever it imports: the studies written or refused, and the inputs it
could not read. Its own module, free of the write path's imports, so that the readers of each
kind of input (:mod:`kg.ctgov.records`, :mod:`kg.records.source`) can name their errors without
importing the store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.write import Outcome


class UnreadableInput(Exception):
    """An input an importer could not read as one of its records; ``str()`` says where and
    what. Every importer yields one in place of such an input and goes on with the next."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


@dataclass
class ImportSummary:
    """What an import did, study by study, and with each input it could not read: the same for
    every way in (registry records, trial records), so that their summaries and exit codes are."""

    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[UnreadableInput] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    @property
    def exit_code(self) -> int:
        """0 when every study is in, 1 when some were refused, 2 when an input could not be
        read or was not a record."""
        if self.errors:
            return 2
        return 1 if any(outcome.refused for outcome in self.outcomes) else 0
