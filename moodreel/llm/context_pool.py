"""llama.cpp contexts over one model file, lent out one call at a time.

One llama.cpp context runs one request at a time and keeps the tokens of its last prompt
(a later prompt with the same start only reads the rest). With two contexts, one can read
the next pitch's prompt while the other writes the current pitch (``read_ahead``), so the
next pitch starts writing at once; and two visitors' pitches are written side by side.
Each extra context costs about 0.7 GB (its own buffers; the weights' file pages are shared).

A call gets the context that already holds its prompt (waiting for it if it is still
reading that prompt), else the free context whose last prompt shares the longest start
with it, else a new context (up to ``size``), else it waits for one to be free.

While every context is busy, ``expected_wait_s`` says how long a new call would wait: from
how long calls have held a context lately and how long the busy ones have held theirs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Slot:
    llama: Any
    prompt: str = ""  # what its cache holds (or is reading now)
    busy: bool = False
    since: float = 0.0  # when it was taken (the pool's clock)
    ahead: bool = False  # lent to read a prompt ahead, not for a call


# weight of the latest lend in the smoothed time a lend holds its context
HELD_SMOOTHING = 0.3


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
    clock: Callable[[], float] = time.monotonic
    # how long a lend held its context, smoothed (None: none has ended yet), for calls and for
    # reads ahead apart: a read ahead is a short burst beside a call's whole pitch
    _held_s: dict[bool, float] = field(default_factory=dict)

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
                self._take(slot, prompt, ahead=True)
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
                self._take(slot, prompt, ahead=True)
            with self._held(slot):
                read(slot.llama)

    def expected_wait_s(self) -> float | None:
        """Seconds a call made now would wait for a context: 0 when one is free or can be
        built, else when the busy ones should be given back (each held about as long as calls
        lately held theirs), after the calls already waiting; None while no lend has ended
        yet (nothing to go by)."""
        with self._cond:
            if len(self._slots) < self.size or any(not s.busy for s in self._slots):
                return 0.0
            call = self._held_s.get(False)
            if call is None:
                return None
            now = self.clock()
            left = sorted(max(0.0, self._held_s.get(s.ahead, call) - (now - s.since)) for s in self._slots)
            rounds, index = divmod(self._waiting, len(left))
            return left[index] + rounds * call

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

    def _take(self, slot: _Slot, prompt: str, ahead: bool = False) -> None:
        slot.busy, slot.prompt, slot.since, slot.ahead = True, prompt, self.clock(), ahead

    @contextmanager
    def _held(self, slot: _Slot) -> Iterator[None]:
        """While in it, ``slot`` is busy (taken under the lock); then it is given back."""
        try:
            yield
        finally:
            with self._cond:
                slot.busy = False
                held = self.clock() - slot.since
                last = self._held_s.get(slot.ahead)
                self._held_s[slot.ahead] = (
                    held if last is None else HELD_SMOOTHING * held + (1 - HELD_SMOOTHING) * last
                )
                self._cond.notify_all()
