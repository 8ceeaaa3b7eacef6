"""Reading trial records (YAML, or the same as JSON) with the line each value stands on.

Why lines: a curator fixes a record in an editor, so every message names the record path (as a
JSON pointer, ``/results/3/value``) and the line. PyYAML's composer knows where each node starts;
the loader below keeps that beside the plain data. Dates stay text (``2012-09`` is not
``2012-09-01``), and a key given twice in one mapping is an error, not a silent overwrite.
JSON is YAML here (a JSON document is a YAML flow mapping), so one reader serves both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kg.outcomes import UnreadableInput, input_texts

FORMAT = "trial-record/1"
"""The ``record:`` header of this version of the format."""

SUFFIXES = (".yaml", ".yml", ".json")
"""Files a folder of records is searched for."""

Json = Any
PathKey = tuple[str | int, ...]


class RecordError(UnreadableInput):
    """An input that is not a readable trial record; ``str()`` says where and what."""


def pointer(path: Sequence[str | int]) -> str:
    """A JSON pointer (RFC 6901) to a place in a record.

    >>> pointer(("results", 3, "value")), pointer(())
    ('/results/3/value', '')
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(frozen=True)
class RecordText:
    """One record's data, where it came from, and the line of each value in it."""

    data: Json
    origin: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the value at ``path``, or of its nearest enclosing value."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def where(self, path: Sequence[str | int]) -> str:
        """``file:line /pointer``, what every message about a value starts with.

        >>> RecordText({}, "r.yaml", {("a",): 3}).where(("a", 0))
        'r.yaml:3 /a/0'
        """
        line = self.line(path)
        at = f"{self.origin}:{line}" if line is not None else self.origin
        return f"{at} {pointer(path) or '/'}" if at else pointer(path) or "/"

    @property
    def trial_id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader without implicit timestamps: dates stay the text the curator wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct(
    loader: _Loader, node: yaml.Node, path: PathKey, lines: dict[PathKey, int], origin: str
) -> Json:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Json] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise RecordError(
                    f"{origin}:{key_node.start_mark.line + 1}", f"a key must be text, not {key!r}"
                )
            name = str(key)
            if name in result:
                raise RecordError(
                    f"{origin}:{key_node.start_mark.line + 1}",
                    f"{pointer(path) or '/'}: the key {name!r} is given twice in the same part of "
                    "the record (the second would silently replace the first)",
                )
            result[name] = _construct(loader, value_node, (*path, name), lines, origin)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*path, index), lines, origin)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def parse_text(text: str, origin: str) -> RecordText:
    """One record from YAML or JSON text; :class:`RecordError` with the line when unreadable."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RecordError(origin, "the file is empty: not a trial record")
        lines: dict[PathKey, int] = {}
        data = _construct(loader, node, (), lines, origin)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{origin}:{mark.line + 1}:{mark.column + 1}" if mark else origin
        problem = " ".join(str(error.problem or error.context or "unreadable").split())
        raise RecordError(where, f"not valid YAML or JSON: {problem}") from None
    except yaml.YAMLError as error:
        raise RecordError(origin, f"not valid YAML or JSON: {error}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        raise RecordError(origin, f"a trial record is a mapping of fields, not {kind}")
    header = data.get("record")
    if header != FORMAT:
        said = f"it says {header!r}" if header is not None else "it has no `record:` field"
        raise RecordError(
            f"{origin}:{lines.get(('record',), 1)}",
            f"not a trial record of this format: expected `record: {FORMAT}`, {said}",
        )
    return RecordText(data, origin, lines)


def read_records(paths: Sequence[str]) -> Iterator[RecordText | UnreadableInput]:
    """Every record in ``paths`` (files, folders of .yaml/.yml/.json, ``-`` for standard input),
    with an :class:`UnreadableInput` in place of each input that cannot be read."""
    for item in input_texts(paths, SUFFIXES):
        if isinstance(item, UnreadableInput):
            yield item
            continue
        try:
            yield parse_text(item.text, item.name)
        except RecordError as error:
            yield error
