"""Bounded in-process memories: least recently used entries go first.

Why one module: the GraphQL answer cache, the kept reads, the resolved filters and the compiled
shapes each kept their own OrderedDict with the same trimming. What holds for one generation of
the data only is kept on that generation's :class:`kg.served.Served`, not checked against it
here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A map of at most ``max_entries`` entries; reading or writing one makes it the newest.

    >>> memory: Lru[str, int] = Lru(2)
    >>> memory.put("a", 1); memory.put("b", 2); memory.get("a"); memory.put("c", 3)
    1
    >>> memory.get("b") is None, memory.get("a"), len(memory)
    (True, 1, 2)
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self._entries.pop(key, None)
        self._entries[key] = value
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
