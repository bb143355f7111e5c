"""Reading the next pitch's prompt while one is written (issue 12: later pitches' first token
within a second): the context pool's lending rules with fake contexts, the app reading each
next card ahead with fake models, and the real local LLM starting a read-ahead pitch without
reading its prompt again."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from pydantic import PrivateAttr

from moodreel.credits import Credits
from moodreel.llm.context_pool import ContextPool
from tests.test_pitch_tagline import WordStreamModel, text_of

PLAIN = "You get a night that is all about how you feel."  # every word one a pitch may use


class Made:
    """``ContextPool.make``: numbered fake contexts."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"context {self.count}"


def test_contexts_are_built_only_when_every_one_is_busy_and_up_to_the_size():
    pool = ContextPool(Made(), size=2)
    with pool.lend("a") as first:
        pass
    with pool.lend("b") as again:  # the first is free again: no second one
        assert again == first and len(pool.built()) == 1
        with pool.lend("c") as second, pool.lend_if_idle("d") as third:
            assert second == "context 2" and third is None  # both busy, and no more than 2


def test_a_call_gets_the_context_that_read_its_prompt_ahead_waiting_while_it_reads():
    pool = ContextPool(Made(), size=2)
    shared = "system\x01rules\x00user\x01mood: calm; title: "
    order: list[str] = []
    with pool.lend(shared + "A") as writer:  # the current pitch is written here
        reading = pool.lend_if_idle(shared + "B")
        reader = reading.__enter__()
        assert reader != writer  # the next prompt goes to the other context

        def next_pitch() -> None:
            with pool.lend(shared + "B") as got:
                order.append(got)

        waiting = threading.Thread(target=next_pitch)
        waiting.start()
        time.sleep(0.1)
        assert order == []  # the reader still reads B: the call waits for it, not for a free one
        reading.__exit__(None, None, None)
        waiting.join(5)
    assert order == [reader]


def test_the_free_context_sharing_the_longest_start_is_lent():
    pool = ContextPool(Made(), size=3)
    with pool.lend("mood: calm; title: A") as a, pool.lend("something else") as b:
        pass
    with pool.lend("mood: calm; title: C") as c:
        assert c == a != b


def test_reading_ahead_steps_back_for_a_waiting_call_and_for_a_prompt_already_held():
    pool = ContextPool(Made(), size=1)
    with pool.lend_if_idle("a") as first:
        assert first is not None
    with pool.lend_if_idle("a") as again:  # already read: nothing to do
        assert again is None
    got: list[Any] = []
    with pool.lend("b"):
        caller = threading.Thread(target=lambda: got.append(pool.lend("c").__enter__()))
        caller.start()
        time.sleep(0.1)
        with pool.lend_if_idle("d") as ahead:
            assert ahead is None  # busy, and a call waits
    caller.join(5)
    assert got == ["context 1"]


def test_warming_up_builds_every_context_and_reads_the_shared_start_into_each():
    pool = ContextPool(Made(), size=2)
    read: list[str] = []
    pool.fill("instructions", read.append)
    assert read == ["context 1", "context 2"] == pool.built()
    with pool.lend("instructions") as a, pool.lend("instructions") as b:  # both hold it
        assert {a, b} == {"context 1", "context 2"}


@pytest.mark.parametrize(
    "cores,n_threads,contexts,alone,beside_one",
    [
        (2, 1, 2, (1, 2), (1, 1)),  # this machine: one core writes, the other reads ahead
        (16, 15, 2, (8, 16), (8, 8)),  # two writers share the cores instead of asking for 30
        (16, 15, 1, (15, 16), (15, 1)),
    ],
)
def test_the_contexts_threads_never_add_up_to_more_than_the_cores(
    monkeypatch, cores, n_threads, contexts, alone, beside_one
):
    from moodreel.llm.llamacpp_chat import LlamaCppChat

    monkeypatch.setattr("os.cpu_count", lambda: cores)
    chat = LlamaCppChat(model_path="unused.gguf", n_threads=n_threads, contexts=contexts)
    assert chat._threads(0) == alone and chat._threads(1) == beside_one


class ReadAheadModel(WordStreamModel):
    """The word stream model with ``read_ahead``, as the local backend has it."""

    _read: list[tuple[bool, list]] = PrivateAttr(default_factory=list)

    def read_ahead(self, messages) -> bool:
        self._read.append((self._lock.locked(), messages))  # locked: a pitch is being written
        return True


def test_the_app_reads_each_next_card_ahead_with_the_messages_its_pitch_then_sends(tmp_path):
    from moodreel.application import Moodreel
    from moodreel.search.recommender import Recommender
    from tests.fakes import FixedMoodParser
    from tests.test_search import CATALOG, _services

    services = _services(tmp_path, CATALOG)
    words = ["watching", "fear", "tales"]
    # no two pitches of a search open alike: each answer opens with its own word
    pitches = [PLAIN, f"Tonight: {PLAIN[0].lower()}{PLAIN[1:]}", f"Watch: {PLAIN[0].lower()}{PLAIN[1:]}"]
    model = ReadAheadModel().enqueue(
        *[f"Tagline: An evening of {w}\nPitch: {p}" for w, p in zip(words, pitches)]
    )
    services._chat_model = model
    app = Moodreel(services, Recommender.from_services(services, FixedMoodParser(["fear"])))
    result = app.recommend("scare me", k=3)
    assert len(result.results) == 3
    app.pitch_all(result)
    assert [r.tagline for r in result.results] == [f"An evening of {w}" for w in words]
    assert [r.pitch for r in result.results] == pitches
    # the 2nd and 3rd cards were read while the one before them was being written
    assert [writing for writing, _ in model._read] == [True, True]
    assert [m for _, m in model._read] == model.seen[1:]


@pytest.mark.integration
def test_a_pitch_read_ahead_on_the_real_llm_starts_without_reading_its_prompt_again():
    from moodreel.llm.factory import make_chat_model
    from moodreel.llm.llamacpp_chat import to_openai_messages
    from moodreel.prompts import load_prompt
    from moodreel.search.pitch import read_pitch_ahead, render_pitch_messages, stream_pitch
    from moodreel.settings import Settings
    from tests.test_pitch import COMEDY, HORROR

    chat = make_chat_model(Settings(llm_contexts=2))
    prompt = load_prompt("pitch")
    read: dict[int, list[int]] = {}  # per context, the tokens of each llama_cpp.Llama.eval call

    def counted(llama: Any) -> Any:
        original, calls = llama.eval, read.setdefault(id(llama), [])
        llama.eval = lambda tokens: (calls.append(len(tokens)), original(tokens))[1]
        return llama

    pool = chat._contexts()
    make = pool.make
    pool.make = lambda: counted(make())
    first = stream_pitch(chat, prompt, HORROR, "scare me", ["fear"], Credits(), max_tokens=40)
    chunks = [next(first)]  # the first pitch is being written...
    assert read_pitch_ahead(chat, prompt, COMEDY, "scare me", ["fear"], Credits())  # ...the next is read
    chunks += list(first)
    assert chunks[-1].done and len(pool.built()) == 2
    messages = to_openai_messages(render_pitch_messages(prompt, COMEDY, "scare me", ["fear"], Credits()))
    with chat._lend(messages):
        pass  # waits until the read-ahead is finished
    assert max(read[id(pool.built()[1])]) > 100  # the new context read the whole prompt
    for calls in read.values():
        calls.clear()
    second = list(stream_pitch(chat, prompt, COMEDY, "scare me", ["fear"], Credits(), max_tokens=40))
    assert second[-1].done and (text_of(second) or second[-1].fallback)
    # the context that read it ahead wrote it: it read the prompt's last token again, then one
    # token per word written (a regeneration, with its changed prompt, reads more)
    (calls,) = [c for c in read.values() if c]
    assert calls is read[id(pool.built()[1])] and (calls[0] == 1 or second[-1].attempts > 1), read


class Clock:
    """``ContextPool.clock``: time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_for_a_context_counts_what_the_busy_ones_have_left_and_who_waits_first():
    clock = Clock()
    pool = ContextPool(Made(), size=1, clock=clock)
    assert pool.expected_wait_s() == 0.0  # a context can still be built
    with pool.lend("first pitch"):
        assert pool.expected_wait_s() is None  # busy, and no call has ended: nothing to go by
        clock.now += 10.0
    assert pool.expected_wait_s() == 0.0  # free again
    with pool.lend("second pitch"):
        clock.now += 4.0  # calls hold a context 10 s: this one has about 6 s left
        assert pool.expected_wait_s() == pytest.approx(6.0)
        waiting = threading.Thread(target=lambda: pool.lend("a waiting pitch").__enter__())
        waiting.start()  # it never gives its context back: the pool is done with after this
        deadline = time.monotonic() + 5
        while pool._waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.expected_wait_s() == pytest.approx(16.0)  # after the one waiting first
        clock.now += 30.0
        assert pool.expected_wait_s() == pytest.approx(10.0)  # overdue: it may end any moment
        clock.now -= 30.0
    waiting.join(5)


def test_a_read_ahead_holding_the_context_is_expected_back_sooner_than_a_call():
    clock = Clock()
    pool = ContextPool(Made(), size=1, clock=clock)
    with pool.lend("a pitch"):
        clock.now += 12.0
    with pool.lend_if_idle("the next prompt"):
        clock.now += 2.0
    with pool.lend_if_idle("another next prompt"):
        clock.now += 1.0  # reads ahead have held it 2 s: about 1 s left, not 11
        assert pool.expected_wait_s() == pytest.approx(1.0)
    # smoothed: a call's hold moves the estimate by HELD_SMOOTHING of its difference
    with pool.lend("a short pitch"):
        clock.now += 2.0
    with pool.lend("one more pitch"):
        assert pool.expected_wait_s() == pytest.approx(0.3 * 2.0 + 0.7 * 12.0)


def test_the_app_says_the_local_llms_wait_and_nothing_before_it_is_loaded(tmp_path):
    from moodreel.application import Moodreel
    from moodreel.llm.llamacpp_chat import LlamaCppChat
    from moodreel.services import build_services
    from moodreel.settings import Settings
    from tests.fakes import DictStore, HashEmbedder

    chat = LlamaCppChat(model_path="unused.gguf", contexts=1)
    services = build_services(
        Settings(data_dir=tmp_path), embedder=HashEmbedder(), store=DictStore(), chat_model=chat
    )
    app = Moodreel(services)
    assert app.pitch_wait_s() is None  # no context built: nothing is loaded to find out
    clock = Clock()
    chat._pool = ContextPool(Made(), size=1, clock=clock)
    with chat._pool.lend("a pitch"):
        clock.now += 9.0
    with chat._pool.lend("another visitor's pitch"):
        clock.now += 1.0
        assert app.pitch_wait_s() == pytest.approx(8.0)
    assert app.pitch_wait_s() == 0.0
    lazy = Moodreel(build_services(Settings(data_dir=tmp_path), embedder=HashEmbedder(), store=DictStore()))
    assert lazy.pitch_wait_s() is None and lazy._services.loaded_chat_model() is None  # not loaded by asking
