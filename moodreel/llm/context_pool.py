"""llama.cpp contexts over one model file, lent out one call at a time.

One llama.cpp context runs one request at a time and keeps the tokens of its last prompt
(a later prompt with the same start only reads the rest). With two contexts, one can read
the next pitch's prompt while the other writes the current pitch (``read_ahead``), so the
next pitch starts writing at once; and two visitors' pitches are written side by side.
Each extra context costs about 0.7 GB (its own buffers; the weights' file pages are shared).

A call gets the context that already holds its prompt (waiting for it if it is still
reading that prompt), else the free context whose last prompt shares the longest start
with it, else a new context (up to ``size``), else it waits for one to be free.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Slot:
    llama: Any
    prompt: str = ""  # what its cache holds (or is reading now)
    busy: bool = False


def _shared_start(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


@dataclass
class ContextPool:
    """``make()`` builds one context (a ``llama_cpp.Llama``); at most ``size`` are built."""

    make: Callable[[], Any]
    size: int = 1
    _slots: list[_Slot] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _waiting: int = 0

    def first(self) -> Any:
        """A context for work that needs no lending (tokenizing), built if none is yet."""
        with self._cond:
            if not self._slots:
                self._slots.append(_Slot(self.make()))
            return self._slots[0].llama

    def built(self) -> list[Any]:
        """The contexts built so far."""
        with self._cond:
            return [s.llama for s in self._slots]

    @contextmanager
    def lend(self, prompt: str) -> Iterator[Any]:
        """The best context for ``prompt`` (see the module), waiting while none is free."""
        with self._cond:
            self._waiting += 1
            try:
                slot = self._cond.wait_for(lambda: self._pick(prompt))
            finally:
                self._waiting -= 1
            self._take(slot, prompt)
        with self._held(slot):
            yield slot.llama

    @contextmanager
    def lend_if_idle(self, prompt: str) -> Iterator[Any | None]:
        """Like ``lend``, but ``None`` at once when no context is free, one already holds
        ``prompt``, or a call is waiting (reading ahead never delays a real request)."""
        with self._cond:
            slot = None
            if self._waiting == 0 and not any(s.prompt == prompt for s in self._slots):
                slot = self._pick(prompt)
            if slot is not None:
                self._take(slot, prompt)
        if slot is None:
            yield None
            return
        with self._held(slot):
            yield slot.llama

    def fill(self, prompt: str, read: Callable[[Any], None]) -> None:
        """Build every context and have each ``read`` ``prompt`` (the start that every call
        shares, read once per context when the app starts)."""
        for index in range(self.size):
            with self._cond:
                if index == len(self._slots):
                    self._slots.append(_Slot(self.make()))
                slot = self._slots[index]
                self._cond.wait_for(lambda: not slot.busy)  # noqa: B023 (called at once)
                self._take(slot, prompt)
            with self._held(slot):
                read(slot.llama)

    def others_busy(self, llama: Any) -> int:
        """How many contexts besides ``llama`` are working now."""
        with self._cond:
            return sum(1 for s in self._slots if s.busy and s.llama is not llama)

    # ---- under self._cond --------------------------------------------------------------
    def _pick(self, prompt: str) -> _Slot | None:
        holders = [s for s in self._slots if s.prompt == prompt]
        if holders:  # one holds this prompt, or is reading it right now: wait for it
            return next((s for s in holders if not s.busy), None)
        free = [s for s in self._slots if not s.busy]
        if free:
            return max(free, key=lambda s: _shared_start(s.prompt, prompt))
        if len(self._slots) < self.size:
            slot = _Slot(self.make())
            self._slots.append(slot)
            return slot
        return None

    def _take(self, slot: _Slot, prompt: str) -> None:
        slot.busy, slot.prompt = True, prompt

    @contextmanager
    def _held(self, slot: _Slot) -> Iterator[None]:
        """While in it, ``slot`` is busy (taken under the lock); then it is given back."""
        try:
            yield
        finally:
            with self._cond:
                slot.busy = False
                self._cond.notify_all()
