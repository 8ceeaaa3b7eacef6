"""What an import reports, whatever it imports: the studies written or refused, and the inputs it
could not read. Its own module, free of the write path's imports, so that the readers of each
kind of input (:mod:`kg.ctgov.records`, :mod:`kg.records.source`) can name their errors without
importing the store.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
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


@dataclass(frozen=True)
class InputText:
    """The text of one input an importer reads: a file, or standard input (``<stdin>``)."""

    name: str
    text: str
    suffix: str = ""
    """The file's suffix, lower case ("" for standard input)."""


def input_texts(
    paths: Iterable[str], suffixes: tuple[str, ...]
) -> Iterator[InputText | UnreadableInput]:
    """The text of every input in ``paths``: files, folders (searched recursively, in name order,
    for ``suffixes``) and ``-`` for standard input, one at a time so that a folder of 100,000
    records costs the memory of one; an :class:`UnreadableInput` in place of each that cannot
    be read (missing, not UTF-8, an empty folder). Shared by every importer's reader."""
    import sys
    from pathlib import Path

    def decode(data: bytes, name: str) -> str | UnreadableInput:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return UnreadableInput(name, f"not UTF-8 text (byte {error.start})")

    for raw in paths:
        if raw == "-":
            text = decode(sys.stdin.buffer.read(), "<stdin>")
            yield text if isinstance(text, UnreadableInput) else InputText("<stdin>", text)
            continue
        path = Path(raw)
        if not path.exists():
            yield UnreadableInput(raw, "no such file or folder")
            continue
        files = (
            [c for c in sorted(path.rglob("*")) if c.is_file() and c.suffix.lower() in suffixes]
            if path.is_dir()
            else [path]
        )
        if not files:
            yield UnreadableInput(raw, f"the folder holds no {', '.join(suffixes)} files")
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as error:
                yield UnreadableInput(str(file), f"cannot read: {error.strerror or error}")
                continue
            text = decode(data, str(file))
            yield text if isinstance(text, UnreadableInput) else InputText(
                str(file), text, file.suffix.lower()
            )
