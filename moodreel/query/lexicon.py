"""Words the request reader knows: data, not logic.

Each table maps what people type to what the catalog can act on (genres, certifications,
countries, years, feelings). The reader (``understanding.py``) only looks words up here;
anything it does not know is left to the vectors (plot and vibe), which is why these
tables can stay short.
"""

from __future__ import annotations

from moodreel.vibes.lexicon import GENRES  # noqa: F401  (the catalog genres, one definition)

# One line per genre, for the zero-shot genre prior (mood text vs these sentences).
GENRE_DESCRIPTIONS: dict[str, str] = {
    "action": "an action movie with fights, chases, explosions and stunts",
    "animation": "an animated cartoon film",
    "comedy": "a funny comedy that makes you laugh",
    "crime": "a crime story about criminals, detectives, gangsters, heists and murder",
    "documentation": "a documentary about real people, real events, nature or science",
    "drama": "a serious emotional drama about people's lives and relationships",
    "european": "a European film",
    "family": "a wholesome family film for kids and parents",
    "fantasy": "a fantasy tale with magic, wizards, dragons and mythical worlds",
    "history": "a historical period story about real events of the past",
    "horror": "a scary horror film with monsters, ghosts and terror",
    "music": "a film about music, singers, bands and concerts",
    "reality": "a reality TV show with contestants and competitions",
    "romance": "a romantic love story",
    "scifi": "a science fiction story about space, aliens, robots and the future",
    "sport": "a sports story about athletes, teams and competition",
    "thriller": "a tense suspenseful thriller full of danger and twists",
    "war": "a war film about soldiers, battles and combat",
    "western": "a western about cowboys and outlaws in the old west",
}

# Words that name a genre outright ("a comedy", "some anime", "sci-fi").
GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "comedy": ("comedy",), "comedies": ("comedy",), "sitcom": ("comedy",), "sitcoms": ("comedy",),
    "standup": ("comedy",), "stand-up": ("comedy",), "rom-com": ("romance", "comedy"),
    "romcom": ("romance", "comedy"), "rom-coms": ("romance", "comedy"),
    "horror": ("horror",), "slasher": ("horror",),
    "thriller": ("thriller",), "thrillers": ("thriller",),
    "romance": ("romance",), "romantic": ("romance",), "romances": ("romance",),
    "documentary": ("documentation",), "documentaries": ("documentation",), "docuseries": ("documentation",),
    "docu": ("documentation",), "doc": ("documentation",), "docs": ("documentation",),
    "drama": ("drama",), "dramas": ("drama",), "k-drama": ("drama",), "kdrama": ("drama",),
    "action": ("action",),
    "animated": ("animation",), "animation": ("animation",), "cartoon": ("animation",),
    "cartoons": ("animation",), "anime": ("animation",), "pixar": ("animation",),
    "sci-fi": ("scifi",), "scifi": ("scifi",), "science-fiction": ("scifi",),
    "fantasy": ("fantasy",), "western": ("western",), "westerns": ("western",),
    "crime": ("crime",), "musical": ("music",), "musicals": ("music",),
    "sports": ("sport",), "sport": ("sport",), "reality": ("reality",),
    "historical": ("history",), "history": ("history",), "war": ("war",),
}  # fmt: skip

# Phrases that name a genre ("science fiction", "true crime", "period piece").
GENRE_PHRASES: dict[str, tuple[str, ...]] = {
    "science fiction": ("scifi",), "true crime": ("crime", "documentation"),
    "period piece": ("history",), "period drama": ("history", "drama"),
    "reality show": ("reality",), "reality tv": ("reality",), "war movie": ("war",),
    "war film": ("war",), "stand up": ("comedy",), "love story": ("romance",),
    "feel good": ("comedy",), "feel-good": ("comedy",), "old west": ("western",),
    "wild west": ("western",), "good cry": ("drama", "romance"), "tearjerker": ("drama", "romance"),
}  # fmt: skip

# Negated words -> (genres to drop, feelings to steer away from). A negated genre word
# not listed here drops that genre (via GENRE_WORDS); any other negated word is a topic
# to stay away from.
AVOID_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "scary": (("horror",), ("fear", "terror", "horror", "dread", "menace", "panic", "paranoia")),
    "scare": (("horror",), ("fear", "terror", "horror", "dread", "panic")),
    "scares": (("horror",), ("fear", "terror", "horror", "dread", "panic")),
    "creepy": (("horror",), ("dread", "unease", "menace", "fear")),
    "spooky": (("horror",), ("dread", "unease", "fear")),
    "frightening": (("horror",), ("fear", "terror", "dread")),
    "terrifying": (("horror",), ("fear", "terror", "dread")),
    "gore": ((), ("violence", "cruelty", "horror", "disgust")),
    "gory": ((), ("violence", "cruelty", "horror", "disgust")),
    "blood": ((), ("violence", "cruelty")),
    "bloody": ((), ("violence", "cruelty")),
    "violence": ((), ("violence", "cruelty", "menace", "revenge", "vengeance")),
    "violent": ((), ("violence", "cruelty", "menace", "revenge", "vengeance")),
    "killing": ((), ("violence", "cruelty", "menace")),
    "murder": ((), ("violence", "cruelty", "menace")),
    "sad": ((), ("sadness", "sorrow", "grief", "heartbreak", "despair", "melancholy")),
    "depressing": ((), ("sadness", "sorrow", "grief", "despair", "melancholy", "loneliness")),
    "heavy": ((), ("sadness", "grief", "despair", "cruelty", "injustice")),
    "tragic": ((), ("sadness", "grief", "sorrow", "heartbreak", "despair")),
    "tearjerker": ((), ("sadness", "grief", "sorrow", "heartbreak")),
    "crying": ((), ("sadness", "grief", "sorrow", "heartbreak")),
    "tense": ((), ("tension", "suspense", "anxiety", "dread", "paranoia")),
    "stressful": ((), ("tension", "anxiety", "urgency", "panic", "dread")),
    "intense": ((), ("tension", "adrenaline", "urgency", "dread")),
    "mushy": (("romance",), ("romance", "love", "passion")),
    "kissing": (("romance",), ("romance", "passion", "desire")),
    "love": (("romance",), ("romance", "love", "passion")),
    "dark": ((), ("dread", "despair", "cruelty", "menace", "madness")),
}  # fmt: skip

# The genres that carry a negated feeling (soft: they are pushed down, not filtered).
AVOID_FEELING_GENRES: dict[str, tuple[str, ...]] = {
    "scary": ("thriller",), "scare": ("thriller",), "scares": ("thriller",), "creepy": ("thriller",),
    "spooky": ("thriller",), "frightening": ("thriller",), "terrifying": ("thriller",),
    "violence": ("war", "crime", "horror"), "violent": ("war", "crime", "horror"),
    "gore": ("horror", "war"), "gory": ("horror", "war"), "blood": ("horror", "war"),
    "bloody": ("horror", "war"),
    "tense": ("thriller", "horror"), "stressful": ("thriller", "horror"),
    "intense": ("thriller", "horror"), "dark": ("horror",),
    "killing": ("crime", "horror"), "murder": ("crime", "horror"),
}  # fmt: skip

# What someone asks to be made to feel, whatever they feel now.
REMEDIES: dict[str, tuple[str, ...]] = {
    "cheer me up": ("joy", "laughter", "warmth", "optimism", "heartwarming"),
    "cheer up": ("joy", "laughter", "warmth", "optimism", "heartwarming"),
    "pick me up": ("joy", "laughter", "optimism", "heartwarming"),
    "pick-me-up": ("joy", "laughter", "optimism", "heartwarming"),
    "lift my spirits": ("joy", "hope", "optimism", "heartwarming"),
    "make me smile": ("joy", "warmth", "heartwarming", "amusement"),
    "make me laugh": ("laughter", "amusement", "joy", "silliness"),
    "feel better": ("joy", "comfort", "warmth", "hope"),
    "feel good": ("joy", "warmth", "heartwarming", "optimism"),
    "feel-good": ("joy", "warmth", "heartwarming", "optimism"),
    "calm down": ("serenity", "comfort", "contentment", "warmth"),
    "unwind": ("serenity", "comfort", "contentment", "lightheartedness"),
    "relax": ("serenity", "comfort", "contentment", "lightheartedness"),
    "wind down": ("serenity", "comfort", "contentment"),
    "fall asleep": ("serenity", "comfort", "contentment"),
    "distract me": ("amusement", "excitement", "lightheartedness"),
    "take my mind off": ("amusement", "excitement", "lightheartedness"),
    "get pumped": ("adrenaline", "excitement", "triumph", "determination"),
    "motivate me": ("inspiration", "determination", "triumph", "empowerment"),
    "fired up": ("inspiration", "determination", "triumph", "adrenaline"),
    "wake me up": ("excitement", "adrenaline", "thrill"),
    "edge of my seat": ("suspense", "tension", "thrill"),
    "brain off": ("lightheartedness", "amusement", "silliness"),
    "don't have to think": ("lightheartedness", "amusement", "silliness"),
    "dont have to think": ("lightheartedness", "amusement", "silliness"),
    "no brainer": ("lightheartedness", "amusement", "silliness"),
    "calm me down": ("serenity", "comfort", "contentment"),
    "reassuring": ("hope", "comfort", "optimism", "warmth"),
    "distraction": ("amusement", "lightheartedness", "excitement"),
    "feels like home": ("warmth", "comfort", "nostalgia", "belonging"),
    "like a hug": ("warmth", "comfort", "affection"),
}  # fmt: skip

# Genres a remedy leans to (soft).
REMEDY_GENRES: dict[str, tuple[str, ...]] = {
    "cheer me up": ("comedy",), "cheer up": ("comedy",), "pick me up": ("comedy",),
    "pick-me-up": ("comedy",), "lift my spirits": ("comedy",), "make me smile": ("comedy",),
    "make me laugh": ("comedy",), "feel good": ("comedy",), "feel-good": ("comedy",),
    "fired up": ("sport", "action"), "get pumped": ("sport", "action"), "motivate me": ("sport",),
    "edge of my seat": ("thriller",), "wake me up": ("action", "thriller"),
    "brain off": ("comedy",), "don't have to think": ("comedy",), "dont have to think": ("comedy",),
}  # fmt: skip

# Feeling words people use for what they want (not GoEmotions labels).
WANTED_FEELINGS: dict[str, tuple[str, ...]] = {
    "calm": ("serenity", "comfort", "contentment"),
    "soothing": ("serenity", "comfort", "warmth"),
    "gentle": ("tenderness", "warmth", "comfort"),
    "cozy": ("comfort", "warmth", "contentment"),
    "cosy": ("comfort", "warmth", "contentment"),
    "wholesome": ("warmth", "heartwarming", "comfort"),
    "uplifting": ("hope", "inspiration", "optimism"),
    "funny": ("laughter", "amusement", "silliness"),
    "hilarious": ("laughter", "amusement", "silliness"),
    "laugh": ("laughter", "amusement", "joy"),
    "scary": ("fear", "terror", "dread"),
    "creepy": ("dread", "unease", "menace"),
    "romantic": ("romance", "love", "passion"),
    "exciting": ("excitement", "adrenaline", "thrill"),
    "thrilling": ("thrill", "suspense", "adrenaline"),
    "epic": ("awe", "adventure", "heroism"),
    "mind-bending": ("confusion", "intrigue", "mystery"),
    "light": ("lightheartedness", "amusement", "cheerfulness"),
    "lighthearted": ("lightheartedness", "amusement", "cheerfulness"),
    "light-hearted": ("lightheartedness", "amusement", "cheerfulness"),
    "fun": ("amusement", "joy", "playfulness"),
    "comfort": ("comfort", "warmth"),
    "comforting": ("comfort", "warmth", "tenderness"),
    "hopeful": ("hope", "optimism"),
    "sad": ("sadness", "melancholy"),
    "dark": ("dread", "menace", "despair"),
    "tense": ("tension", "suspense"),
    "heartwarming": ("heartwarming", "warmth"),
    "cry": ("sadness", "heartbreak", "catharsis"),
    "chill": ("serenity", "comfort", "lightheartedness"),
    "relaxed": ("serenity", "comfort", "contentment"),
    "relaxing": ("serenity", "comfort", "contentment"),
    "peaceful": ("serenity", "contentment"),
}

# Words by which a clause describes the viewer rather than what they want.
FELT_WORDS = frozenset(
    """
    i i'm im me my i've ive anxious sad bored angry lonely stressed tired exhausted grieving
    heartbroken scared worried upset depressed down low sick nervous restless overwhelmed
    burnt burned drained lazy unmotivated homesick
    """.split()
)

# Signals that a clause says what the viewer wants (not what they feel now).
WANT_MARKERS: tuple[str, ...] = (
    "want", "wanna", "need", "looking for", "in the mood for", "mood for", "craving", "crave",
    "make me", "help me", "give me", "show me", "recommend", "would like", "i'd like",
    "something", "anything", "feel like", "take me", "let me", "hoping for", "fancy", "up for",
    "put on", "to watch", "to binge", "cheer", "pick me", "lift my", "distract", "unwind",
    "relax", "wind down", "suggest", "find me", "a movie", "a film", "a show", "a series",
)  # fmt: skip

# Longest first: "not in the mood for" must win over "not".
NEGATION = (
    r"(?:not in the mood for|don'?t want|do not want|dont want|can'?t stand|can'?t handle|"
    r"cannot handle|anything but|no more|not too|not really|too much|nothing|without|"
    r"avoid|never|none|skip|minus|except|hates?|no|not)"
)

# Audience words -> audience label.
AUDIENCE_WORDS: dict[str, str] = {
    "kids": "kids", "kid": "kids", "children": "kids", "child": "kids", "toddler": "kids",
    "toddlers": "kids", "son": "kids", "daughter": "kids", "grandkids": "kids",
    "nephew": "kids", "niece": "kids", "little ones": "kids", "year old": "kids",
    "year-old": "kids", "family": "family", "whole family": "family", "parents": "family",
    "teens": "teens", "teen": "teens", "teenager": "teens", "teenagers": "teens",
    "adults": "adults", "adult": "adults", "grown-ups": "adults", "grownups": "adults",
    "date night": "date", "date": "date", "girlfriend": "date", "boyfriend": "date",
    "wife": "date", "husband": "date", "partner": "date",
}  # fmt: skip

# Genres each audience leans to (soft), and hard exclusions.
AUDIENCE_GENRES: dict[str, tuple[str, ...]] = {
    "kids": ("family", "animation", "comedy"),
    "family": ("family", "animation", "comedy"),
    "teens": ("comedy", "drama", "romance", "fantasy"),
    "date": ("romance", "comedy"),
    "adults": (),
}
AUDIENCE_AVOID_GENRES: dict[str, tuple[str, ...]] = {
    "kids": ("horror", "war", "crime", "thriller"),
    "family": ("horror",),
}
AUDIENCE_SOFT_AVOID_GENRES: dict[str, tuple[str, ...]] = {"adults": ("family",)}
ADULT_CERTIFICATIONS: tuple[str, ...] = ("R", "NC-17", "TV-MA")
TEEN_CERTIFICATIONS: tuple[str, ...] = ("PG-13", "TV-14")

# Country/language words -> ISO-2 production countries.
COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "korean": ("KR",), "korea": ("KR",), "k-drama": ("KR",), "kdrama": ("KR",),
    "japanese": ("JP",), "japan": ("JP",), "anime": ("JP",),
    "chinese": ("CN", "TW", "HK"), "china": ("CN",), "taiwanese": ("TW",), "hong kong": ("HK",),
    "indian": ("IN",), "india": ("IN",), "bollywood": ("IN",), "hindi": ("IN",), "tamil": ("IN",),
    "spanish": ("ES", "MX", "AR", "CO", "CL"), "spain": ("ES",), "mexican": ("MX",), "mexico": ("MX",),
    "argentinian": ("AR",), "colombian": ("CO",), "latin american": ("MX", "AR", "CO", "CL", "BR", "PE"),
    "brazilian": ("BR",), "brazil": ("BR",), "portuguese": ("BR", "PT"),
    "french": ("FR", "BE"), "france": ("FR",), "german": ("DE", "AT"), "germany": ("DE",),
    "italian": ("IT",), "italy": ("IT",), "british": ("GB",), "uk": ("GB",), "english": ("GB",),
    "irish": ("IE",), "scottish": ("GB",), "turkish": ("TR",), "turkey": ("TR",),
    "nigerian": ("NG",), "nollywood": ("NG",), "egyptian": ("EG",), "arabic": ("EG", "LB", "AE", "SA", "JO"),
    "thai": ("TH",), "filipino": ("PH",), "indonesian": ("ID",), "polish": ("PL",),
    "scandinavian": ("SE", "NO", "DK"), "nordic": ("SE", "NO", "DK", "FI", "IS"), "swedish": ("SE",),
    "norwegian": ("NO",), "danish": ("DK",), "dutch": ("NL",), "russian": ("RU",),
    "australian": ("AU",), "canadian": ("CA",), "american": ("US",), "hollywood": ("US",),
    "european": ("FR", "DE", "ES", "IT", "GB", "BE", "NL", "SE", "NO", "DK", "PL", "IE", "AT", "PT", "CH"),
}  # fmt: skip

# Era words -> (min_year, max_year); decades are read by pattern in understanding.py.
ERA_WORDS: dict[str, tuple[int | None, int | None]] = {
    "classic": (None, 1995), "classics": (None, 1995), "old": (None, 1995), "oldie": (None, 1995),
    "oldies": (None, 1995), "vintage": (None, 1990), "black and white": (None, 1965),
    "golden age": (None, 1965), "retro": (None, 1999),
    "recent": (2019, None), "new": (2019, None), "newest": (2020, None), "latest": (2020, None),
    "modern": (2015, None), "this year": (2021, None), "last year": (2020, None),
    "last few years": (2019, None), "brand new": (2021, None), "new release": (2021, None),
}  # fmt: skip

SHOW_WORDS = ("series", "show", "shows", "tv show", "binge", "episodes", "season", "seasons", "sitcom", "docuseries")
MOVIE_WORDS = ("movie", "movies", "film", "films", "flick", "feature")
SHORT_WORDS = ("short", "quick", "brief")

# Words that never name a topic: request words, mood adjectives, fillers.
NON_TOPIC_WORDS: frozenset[str] = frozenset(
    """
    want wanna need needs looking look mood moods watch watching watched tonight today night evening
    weekend week day morning afternoon something anything everything stuff thing things kind sort
    feel feeling feels felt make makes made help give show shows movie movies film films flick series
    episode episodes season seasons tv binge binging bingeable recommend recommendation suggest suggestion
    please pls plz just really very super quite bit little lot lots maybe kinda sorta like love
    good great nice fun funny clever smart light dark deep easy intense gentle calm soothing cozy cosy
    sweet cute heavy silly weird quirky epic cool wholesome mindless chill relaxing uplifting exciting
    emotional thought provoking beautiful stunning slow fast long short new old classic recent
    bad best better well interesting entertaining engaging gripping boring happy sad angry anxious
    tired stressed bored lonely scared scary creepy spooky romantic hilarious heartwarming hopeful
    rough hard tough ugh meh lol omg hmm okay ok guess need im i'm ive i've id i'd my me mine
    work job day long after before during still again ever always cheer up pick lift spirits smile laugh
    cry crying tears vibe vibes vibey energy mood-booster booster comfort comforting thrilling feel-good
    wild crazy insane intense brutal dark gritty grim real true kids kid family children friends date
    alone together someone somebody person people guy gal couple partner nothing none no not
    scare scares frightening terrifying gore gory violent violence sad depressing tragic tearjerker
    tense stressful mushy kissing plot story stories about where which while with without yet
    minute minutes min mins hour hours hr hrs year years old olds decade era scene scenes idea sure
    type genre genres ending endings character characters acting cast vibe tonight's
    gross weird stuff came brand release released releases older newer earlier later early late
    school limited weekend relaxed relaxing peaceful
    right now tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday
    mind minds headspace mindset brain head heart soul spirits mental wake unwind fired think
    distraction distract reassuring sick bed couch sofa blanket isnt dont wont cant didnt doesnt
    wanna gonna gotta kinda lemme actors actor actress actresses real
    """.split()
)
