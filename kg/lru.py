"""Bounded in-process memories: least recently used entries go first.

Why one module: the GraphQL answer cache, the kept reads, the resolved filters and the compiled
shapes each kept their own OrderedDict with the same trimming. What holds for one generation of the
data only is kept on that generation's :class:`kg.served.Served`, not checked against it here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
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

    With ``weigh``, the entries' weights also stay within ``max_weight`` (values of very
    different sizes, such as whole listings); a value heavier than that alone is not kept.

    >>> lists: Lru[str, tuple[int, ...]] = Lru(8, max_weight=4, weigh=len)
    >>> lists.put("a", (1, 2)); lists.put("b", (1, 2)); lists.put("c", (1,)); lists.weight
    3
    >>> lists.get("a") is None, lists.put("d", (1, 2, 3, 4, 5)), lists.get("d") is None
    (True, None, True)
    """

    def __init__(
        self,
        max_entries: int,
        *,
        max_weight: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self.weigh = weigh
        self.weight = 0
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._weights: dict[K, int] = {}

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self._forget(key)
        weight = self.weigh(value) if self.weigh is not None else 0
        if self.max_weight is not None and weight > self.max_weight:
            return
        self._entries[key] = value
        self._weights[key] = weight
        self.weight += weight
        while len(self._entries) > self.max_entries or (
            self.max_weight is not None and self.weight > self.max_weight
        ):
            self._forget(next(iter(self._entries)))

    def _forget(self, key: K) -> None:
        if key in self._entries:
            del self._entries[key]
            self.weight -= self._weights.pop(key)

    def clear(self) -> None:
        self._entries.clear()
        self._weights.clear()
        self.weight = 0

    def __len__(self) -> int:
        return len(self._entries)
