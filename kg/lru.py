"""Bounded in-process memories: least recently used entries go first.

Why one module: the GraphQL answer cache, the memory of listing counts and the compiled shapes
each kept their own OrderedDict with the same trimming; two of them also dropped everything
when the data's generation moved (:func:`kg.build.store_generation`). One implementation of each
rule keeps them alike.
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
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class PerGeneration(Lru[K, V]):
    """An :class:`Lru` whose entries hold for one generation of the data only.

    A caller reads the generation before computing, :meth:`use`\\ s it (which drops what was
    kept for another), and stores with :meth:`put_for` under the generation it read: a value
    computed while a newer generation was seen is not kept.

    >>> memory: PerGeneration[str, int] = PerGeneration(8)
    >>> memory.use("g1"); memory.put_for("g1", "a", 1); memory.get("a")
    False
    1
    >>> memory.use("g2"), memory.get("a")
    (True, None)
    >>> memory.put_for("g1", "a", 1); len(memory)
    0
    """

    def __init__(self, max_entries: int) -> None:
        super().__init__(max_entries)
        self.generation: str | None = None

    def use(self, generation: str | None) -> bool:
        """Serve ``generation`` from now on; whether that dropped entries kept for another."""
        if generation == self.generation:
            return False
        dropped = len(self) > 0
        self.clear()
        self.generation = generation
        return dropped

    def put_for(self, generation: str | None, key: K, value: V) -> None:
        """Keep ``value`` if ``generation`` is still the one served."""
        if generation == self.generation:
            self.put(key, value)
