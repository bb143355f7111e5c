"""What a title *is*, read from its catalog fields: a film, a series, a stand-up special, a
documentary (about another title, or not), a children's show.

A pitch's first sentence says it ("In this stand-up special, ...", "This documentary about
Money Heist ..."), and the template pitch is built on it, so a making-of documentary is never
pitched as the show it is about, and a comedian's special is never called a film of laughter.
``title_kind`` reads the type, the genres, the age rating, the runtime and cues in the synopsis
and the title ("documentary", "stand-up", "special", "behind the scenes", a quoted title);
pure, no LLM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from moodreel.records import StoredTitle

KIDS_RATINGS = {"TV-Y", "TV-Y7", "TV-Y7-FV", "TV-G", "G"}
_STAND_UP = re.compile(
    r"\b(stand-?\s?up|comedian|comic|comedy special|(?:this|a|her|his|their|new|first|latest) special|"
    r"live audience|on stage|onstage|takes the stage|sold-out|routine|set at)\b",
    re.IGNORECASE,
)
_DOC_WORDS = re.compile(r"\b(documentar(?:y|ies)|docu-?series|docuseries)\b", re.IGNORECASE)
_ABOUT_TITLE = re.compile(
    r"\b(behind the scenes of|the making of|making-of|filmmakers|cast and (?:crew|guests)|the cast of|"
    r"the creators of|phenomenon|filming|episodes)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“'‘]([A-Z][^\"”'’]{2,60})[\"”'’]")


# the words that come with naming a kind of title ("a stand-up special" has a comedian, a set
# and an audience; a documentary has footage and interviews)
_KIND_WORDS = {
    "stand-up special": "stand-up comedian comic set stage audience joke hour special",
    "documentary": "documentary film footage interview look inside real",
    "documentary series": "documentary docuseries series footage interview episode look inside real",
    "reality series": "reality series episode cast real",
    "children's series": "children kids family young viewer series episode",
    "children's film": "children kids family young viewer film",
    "series": "series episode season",
    "film": "film",
}


@dataclass(frozen=True)
class TitleKind:
    """``kind``: film, series, stand-up special, documentary, documentary series, reality series,
    children's series, children's film. ``phrase``: how a person would name it in a pitch
    ("a documentary about Money Heist"). ``subject``: the title a documentary is about, if any.
    ``performer``: the comedian of a stand-up special, if the title names one."""

    kind: str
    phrase: str
    subject: str = ""
    performer: str = ""

    @property
    def is_documentary(self) -> bool:
        return "documentary" in self.kind

    @property
    def words(self) -> str:
        """The phrase and the words a person naming this kind of title may use."""
        return f"{self.phrase} {self.performer} {_KIND_WORDS.get(self.kind, '')}"

    def article(self) -> str:
        return "an" if self.phrase[:1].lower() in "aeiou" else "a"


def _performer(title: StoredTitle) -> str:
    """The comedian a special is named after: "Ms. Pat: Y'all Wanna ..." -> "Ms. Pat"."""
    head = title.title.split(":", 1)[0].strip()
    if ":" in title.title and 1 <= len(head.split()) <= 4 and head.lower() in title.description.lower():
        return head
    if ":" in title.title and 1 <= len(head.split()) <= 3 and all(w[:1].isupper() for w in head.split()):
        return head
    return ""


def _subject(title: StoredTitle) -> str:
    """The other title a documentary is about: the part of its own title before the colon,
    quoted in the synopsis ("Money Heist: The Phenomenon": "why 'Money Heist' sparked ..."),
    or a title quoted next to a making-of cue ("the filmmakers and actors behind "Money Heist"")."""
    quoted = [q.strip().rstrip(".,") for q in _QUOTED.findall(title.description)]
    head = title.title.split(":", 1)[0].strip()
    if ":" in title.title and head in quoted:
        return head
    others = [
        q for q in quoted if q.lower() != title.title.lower() and q[:1].isupper() and len(q.split()) <= 6
    ]
    if others and _ABOUT_TITLE.search(title.description):
        return others[0]
    return ""


def title_kind(title: StoredTitle) -> TitleKind:
    """What ``title`` is, for the pitch's first sentence and the template."""
    genres = {g.lower() for g in title.genres}
    show = title.type.upper() == "SHOW"
    text = f"{title.title}. {title.description}"
    documentary = "documentation" in genres or bool(_DOC_WORDS.search(title.description))
    comedy = "comedy" in genres
    performer = _performer(title) if comedy and not show else ""
    short = title.runtime is None or title.runtime <= 95
    if comedy and not show and short and (_STAND_UP.search(text) or (performer and documentary)):
        return TitleKind("stand-up special", "stand-up comedy special", performer=performer)
    if comedy and not show and short and performer and not genres - {"comedy", "documentation"}:
        return TitleKind("stand-up special", "stand-up comedy special", performer=performer)
    if documentary:
        subject = _subject(title)
        base = "documentary series" if show else "documentary"
        if "reality" in genres and show and not _DOC_WORDS.search(title.description):
            base = "reality series"
        phrase = f"{base} about {subject}" if subject else base
        return TitleKind(base, phrase, subject=subject)
    if show and "reality" in genres:
        return TitleKind("reality series", "reality series")
    kids = (title.age_certification or "") in KIDS_RATINGS and bool(genres & {"animation", "family"})
    animated = "animation" in genres
    if show:
        if kids:
            return TitleKind(
                "children's series", "animated series for children" if animated else "series for children"
            )
        return TitleKind("series", "animated series" if animated else "series")
    if kids:
        return TitleKind("children's film", "animated family film" if animated else "family film")
    return TitleKind("film", "animated film" if animated else "film")
