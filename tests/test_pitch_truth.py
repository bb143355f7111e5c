"""Pitches that tell the truth about the title (issue 21): the word support, the logits
processor's masks (no model), the kind of title, the template, openings, and one real LLM."""

from __future__ import annotations

import numpy as np
import pytest

from moodreel.credits import Credits
from moodreel.llm.word_guard import TokenTexts, WordGuard, WordGuardSpec
from moodreel.prompts import load_prompt
from moodreel.records import StoredTitle
from moodreel.search.pitch import pitch_facts, render_pitch_messages, stream_pitch, word_guard_options
from moodreel.search.pitch_check import check_pitch, kinds
from moodreel.search.pitch_template import template_pitch
from moodreel.search.support import Support, word_runs
from moodreel.search.title_kind import title_kind
from tests.fakes import QueueChatModel

KOTARO = StoredTitle(
    id="ts341767",
    title="Kotaro Lives Alone",
    type="SHOW",
    description="A lonely little boy moves into a ramshackle apartment building all on his own and makes "
    "friends with the broke manga artist who lives next door.",
    genres=["animation", "drama", "comedy"],
    release_year=2022,
    age_certification="TV-14",
    emotions=["loneliness", "warmth", "hope"],
)
PHENOMENON = StoredTitle(
    id="tm883441",
    title="Money Heist: The Phenomenon",
    type="MOVIE",
    description="A documentary on why 'Money Heist' sparked a wave of enthusiasm around the world for a "
    "lovable group of thieves and their professor.",
    genres=["documentation"],
    release_year=2020,
    runtime=48,
    emotions=["excitement", "curiosity"],
)
MS_PAT = StoredTitle(
    id="tm1152323",
    title="Ms. Pat: Y'all Wanna Hear Something Crazy?",
    type="MOVIE",
    description="Ms. Pat finds laughter in the absurdities of parenting, pet lovers and very unfortunate lip "
    "trends as she unpacks a painful past with humor and honesty.",
    genres=["comedy"],
    release_year=2022,
    runtime=62,
    emotions=["amusement", "joy", "melancholy"],
)
SOFIA = StoredTitle(
    id="ts20281",
    title="Sofia the First",
    type="SHOW",
    description="Set in the storybook world of Enchancia, this is the story of Princess Sofia, an adventurous "
    "little girl who is suddenly royal.",
    genres=["animation", "family", "fantasy"],
    age_certification="TV-Y",
    emotions=["wonder", "joy"],
)
INVENTED_KOTARO = (
    "Two bored teens move into a rundown apartment building all alone. They make some new friends "
    "who live next door in an anime bookstore."
)
INVENTED_HEIST = (
    "Two thieves are on a mission to steal $1 billion from an ancient bank vault. Expect a wild ride."
)


# ---- which words the facts support --------------------------------------------------------
def test_support_compares_by_lemma_and_refuses_what_the_synopsis_never_says():
    support = pitch_facts(KOTARO, Credits()).support
    for word in ["boy", "boys", "moved", "moving", "friend", "artists", "lonely", "lives", "watch", "anime"]:
        assert support.allows(word), word  # "anime": an animated title (the stem of "animation")
    for word in ["two", "teens", "teen", "sisters", "bored", "bookstore"]:
        assert not support.allows(word), word
    assert support.may_start("fri") and not support.may_start("tw")


def test_the_check_flags_a_lonely_boy_pitched_as_two_teens():
    found = check_pitch(INVENTED_KOTARO, pitch_facts(KOTARO, Credits(), "something gentle"))
    unsupported = [v for v in found if v.kind == "unsupported"]
    assert unsupported and all(w in unsupported[0].detail for w in ("'two'", "'teens'")), found
    faithful = (
        "This animated series follows a lonely little boy who moves in all on his own. You get gentle hope."
    )
    assert check_pitch(faithful, pitch_facts(KOTARO, Credits(), "something gentle")) == []


def test_a_banned_word_is_refused_in_every_form():
    support = Support(["A thief steals a painting"], banned=["steals"])
    assert not support.allows("steal") and not support.allows("stealing") and support.allows("thief")


# ---- the logits processor's masks, without the model ---------------------------------------
PIECES = [
    "Pitch",
    ":",
    " Two",
    " teens",
    " A",
    " lonely",
    " boy",
    " moves",
    ".",
    " The",
    " in",
    " tw",
    "o",
    "",
]


def guard(facts_support, **kwargs) -> tuple[WordGuard, dict[str, int]]:
    ids = {p: i for i, p in enumerate(PIECES)}
    texts = TokenTexts(lambda tokens: PIECES[tokens[0]].encode())
    return WordGuard(facts_support, texts, read=len(PIECES), keep=len(PIECES), **kwargs), ids


def step(g: WordGuard, ids: dict[str, int], written: list[str], scores: np.ndarray) -> np.ndarray:
    prompt = [ids[""]] * 3
    g._start, g._calls, g._ids, g._raw = None, 0, [], b""
    g(np.array(prompt, dtype=np.intc), scores.copy())  # the first call sees the prompt
    out = scores
    for k in range(len(written) + 1):
        tokens = prompt + [ids[w] for w in written[:k]]
        out = g(np.array(tokens, dtype=np.intc), scores.copy())
    return out


def test_the_processor_vetoes_words_the_facts_do_not_support():
    g, ids = guard(pitch_facts(KOTARO, Credits()).support)
    scores = np.linspace(1, 0, len(PIECES)).astype(np.float32)
    scores[ids[" Two"]], scores[ids[" teens"]] = 9.0, 8.0  # the model wants "Two teens"
    out = step(g, ids, ["Pitch", ":"], scores)
    assert np.isneginf(out[ids[" Two"]]) and np.isneginf(out[ids[" teens"]])
    assert np.isneginf(out[ids[" tw"]])  # no allowed word starts with "tw"
    assert out[ids[" A"]] == scores[ids[" A"]] and out[ids[" lonely"]] == scores[ids[" lonely"]]
    assert int(np.argmax(out)) not in {ids[" Two"], ids[" teens"]}
    assert out[ids[""]] == scores[ids[""]]  # the end of the answer is never vetoed


def test_the_processor_never_traps_the_model_inside_a_word():
    # after " tw" (however it got there) a continuation is not judged: the check reads the word
    g, ids = guard(pitch_facts(KOTARO, Credits()).support)
    out = step(g, ids, ["Pitch", ":", " A", " tw"], np.ones(len(PIECES), dtype=np.float32))
    assert out[ids["o"]] == 1.0


def test_the_processor_finishes_a_word_it_began_as_the_facts_have_it():
    # "warm" is only the start of the facts' "warmth": ending the word there is refused while
    # a continuation that makes it an allowed word is among the candidates
    pieces = ["Pitch", ":", " warm", "th", " and", ""]
    texts = TokenTexts(lambda tokens: pieces[tokens[0]].encode())
    g = WordGuard(Support(["warmth"]), texts, read=len(pieces), keep=len(pieces), strict_words=True)
    prompt = [5, 5]
    g(np.array(prompt, dtype=np.intc), np.ones(len(pieces), dtype=np.float32))
    for k in range(1, 3):
        g(np.array(prompt + [0, 1, 2][:k], dtype=np.intc), np.ones(len(pieces), dtype=np.float32))
    out = g(np.array(prompt + [0, 1, 2], dtype=np.intc), np.ones(len(pieces), dtype=np.float32))
    assert out[3] == 1.0 and np.isneginf(out[4]) and np.isneginf(out[5])  # "th" yes; " and", the end no


def test_the_processor_bans_the_openings_already_used_in_the_search():
    g, ids = guard(pitch_facts(KOTARO, Credits()).support, banned_openings=("the",))
    scores = np.ones(len(PIECES), dtype=np.float32)
    assert np.isneginf(step(g, ids, ["Pitch", ":"], scores)[ids[" The"]])
    assert step(g, ids, ["Pitch", ":", " A"], scores)[ids[" The"]] == 1.0  # only the first word


def test_the_processor_boosts_the_synopsis_word_pairs():
    support = pitch_facts(KOTARO, Credits()).support
    g, ids = guard(support, pairs={"lonely": {"little", "boy"}}, boost=2.0)
    out = step(g, ids, ["Pitch", ":", " A", " lonely"], np.ones(len(PIECES), dtype=np.float32))
    assert out[ids[" boy"]] == 3.0 and out[ids[" moves"]] == 1.0


def test_the_processor_reads_only_accepted_tokens_when_drafts_follow():
    # prompt-lookup decoding: llama.cpp passes evaluated draft tokens after the answer so far
    g, ids = guard(pitch_facts(KOTARO, Credits()).support)
    prompt = [ids[""]] * 3
    g(np.array(prompt, dtype=np.intc), np.ones(len(PIECES), dtype=np.float32))
    g(np.array([*prompt, ids["Pitch"], ids[":"], ids[" Two"]], dtype=np.intc), np.ones(len(PIECES)))
    assert g._raw == b"Pitch"  # the 2nd call picks the 2nd token: ":" and " Two" are drafts


def test_only_a_model_with_logits_gets_the_guard():
    assert word_guard_options(QueueChatModel(), pitch_facts(KOTARO, Credits()), [], []) == {}

    class Local(QueueChatModel):
        guards_words: bool = True

    spec = word_guard_options(Local(), pitch_facts(KOTARO, Credits()), ["boy"], ["the"])["word_guard"]
    assert isinstance(spec, WordGuardSpec) and spec.banned_openings == ("the",)
    assert not spec.vocabulary.allows("boys")  # a rewrite bans the offending words


# ---- what the title is ----------------------------------------------------------------------
def test_the_kind_of_title_comes_from_its_catalog_fields():
    assert title_kind(PHENOMENON).phrase == "documentary about Money Heist"
    assert title_kind(MS_PAT).kind == "stand-up special" and title_kind(MS_PAT).performer == "Ms. Pat"
    assert title_kind(SOFIA).kind == "children's series"
    assert title_kind(KOTARO).phrase == "animated series"


def test_a_documentary_about_a_show_is_never_pitched_as_the_show():
    user = render_pitch_messages(load_prompt("pitch"), PHENOMENON, "excite me", ["excitement"], Credits())[-1]
    assert "What it is: a documentary about Money Heist (pitch the documentary" in str(user.content)
    facts = pitch_facts(PHENOMENON, Credits(), "excite me")
    assert "unsupported" in kinds(check_pitch(INVENTED_HEIST, facts))
    model = QueueChatModel().enqueue(
        f"Tagline: Steal it all\nPitch: {INVENTED_HEIST}", f"Pitch: {INVENTED_HEIST}"
    )
    chunks = list(
        stream_pitch(model, load_prompt("pitch"), PHENOMENON, "excite me", ["excitement"], Credits())
    )
    text = "".join(c.text for c in chunks)
    assert chunks[-1].fallback and "steal" not in text.lower() and "documentary about Money Heist" in text


def test_the_template_says_what_the_title_is_in_a_persons_words():
    pat = template_pitch(MS_PAT, ["amusement"])
    assert pat.startswith(
        "Ms. Pat: Y'all Wanna Hear Something Crazy? is a 2022 stand-up comedy special from Ms. Pat."
    )
    assert "film" not in pat and "laughter, " not in pat.split(".")[1]
    assert template_pitch(SOFIA, ["joy"]).startswith("Sofia the First is an animated series for children.")
    for title in (KOTARO, PHENOMENON, MS_PAT, SOFIA):
        text = template_pitch(title, ["joy"])
        assert not kinds(check_pitch(text, pitch_facts(title, Credits()))) - {"copy"}, text


def test_no_two_pitches_of_a_search_open_with_the_same_word():
    model = QueueChatModel().enqueue(
        "Tagline: Alone, not lonely\nPitch: A lonely little boy moves in on his own. You get gentle company.",
        "Tagline: Laughs\nPitch: A stand-up special from Ms. Pat about parenting. You get honest laughs.",
        "Tagline: Laughs\nPitch: Ms. Pat finds laughter in parenting in this special. You get honest laughs.",
    )
    openings: list[str] = []
    for title in (KOTARO, MS_PAT):
        chunks = list(
            stream_pitch(model, load_prompt("pitch"), title, "laugh", ["joy"], Credits(), openings=openings)
        )
        assert not chunks[-1].fallback
    assert openings == ["a", "ms"]
    assert "Do not start the pitch with the word 'a'" in str(model.seen[2][-1].content)


# ---- the real local LLM -------------------------------------------------------------------
@pytest.mark.integration
def test_the_real_llm_pitches_the_lonely_boy_without_inventing_teens(local_chat_model):
    chunks = list(
        stream_pitch(
            local_chat_model,
            load_prompt("pitch"),
            KOTARO,
            "something gentle",
            ["comfort"],
            Credits(),
            temperature=0.2,
        )
    )
    text = "".join(c.text for c in chunks).strip()
    words = set(word_runs(text))
    assert text and chunks[-1].done and not words & {"two", "teens", "teen", "teenagers", "sisters"}, text
    assert chunks[-1].fallback or not kinds(
        check_pitch(text, pitch_facts(KOTARO, Credits(), "something gentle"))
    )
