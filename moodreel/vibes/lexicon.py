"""The fast extractor's vocabulary: viewer feelings, genre leanings, plot emojis.

Data, not logic. ``EMOTIONS`` is the set a title's synopsis is matched against, in
families (``EMOTION_FAMILIES``: light, warm, uplifting, tense, dark, sad, worldly);
``GENRE_EMOTIONS`` nudges the choice towards what a genre usually makes people feel;
``GENRE_EMOJI`` gives a fallback emoji per genre; ``GENRES`` is their keys, the catalog's genres.
"""

EMOTION_FAMILIES: dict[str, tuple[str, ...]] = {
    "light": (
        "joy", "delight", "amusement", "laughter", "giddiness", "silliness", "whimsy", "mischief",
        "lightheartedness", "cheerfulness", "playfulness", "absurdity", "awkwardness", "wit", "irony",
    ),
    "warm": (
        "warmth", "tenderness", "affection", "love", "romance", "longing", "desire", "passion",
        "comfort", "belonging", "friendship", "camaraderie", "loyalty", "gratitude", "compassion",
        "nostalgia", "contentment", "serenity", "heartwarming",
    ),
    "uplifting": (
        "hope", "inspiration", "triumph", "pride", "determination", "courage", "bravery",
        "resilience", "empowerment", "optimism", "redemption", "liberation", "relief", "catharsis",
        "admiration", "awe", "wonder", "enchantment", "amazement", "fascination", "curiosity",
    ),
    "tense": (
        "suspense", "tension", "thrill", "adrenaline", "excitement", "anticipation", "urgency",
        "intrigue", "suspicion", "paranoia", "unease", "apprehension", "anxiety", "dread",
        "fear", "terror", "horror", "panic", "shock", "surprise", "disbelief", "confusion",
    ),
    "dark": (
        "menace", "cruelty", "violence", "revenge", "vengeance", "betrayal", "jealousy", "greed",
        "guilt", "regret", "shame", "disgust", "anger", "outrage", "frustration", "injustice",
        "desperation", "despair", "danger", "chaos", "corruption", "obsession", "madness",
    ),
    "sad": (
        "sadness", "sorrow", "grief", "heartbreak", "melancholy", "loneliness", "isolation",
        "vulnerability", "bittersweet", "reflection", "introspection", "contemplation",
        "empathy", "acceptance", "forgiveness", "growth", "enlightenment", "disillusionment",
    ),
    "worldly": (
        "adventure", "discovery", "exploration", "survival", "rivalry", "competition", "ambition",
        "rebellion", "justice", "heroism", "patriotism", "spirituality", "creativity", "mystery",
    ),
}  # fmt: skip
EMOTIONS: tuple[str, ...] = tuple(e for family in EMOTION_FAMILIES.values() for e in family)

GENRE_EMOTIONS: dict[str, tuple[str, ...]] = {
    "comedy": ("amusement", "laughter", "silliness", "lightheartedness", "wit"),
    "drama": ("empathy", "heartbreak", "reflection", "vulnerability"),
    "thriller": ("suspense", "tension", "paranoia", "dread"),
    "action": ("adrenaline", "thrill", "excitement", "heroism"),
    "romance": ("romance", "longing", "tenderness", "love"),
    "documentation": ("fascination", "curiosity", "discovery", "reflection"),
    "crime": ("suspense", "intrigue", "menace", "justice"),
    "animation": ("whimsy", "wonder", "delight", "playfulness"),
    "family": ("warmth", "comfort", "belonging", "heartwarming"),
    "fantasy": ("enchantment", "wonder", "adventure", "awe"),
    "scifi": ("awe", "wonder", "curiosity", "unease"),
    "european": ("melancholy", "reflection", "intrigue"),
    "horror": ("dread", "terror", "fear", "menace", "shock"),
    "music": ("joy", "passion", "inspiration", "nostalgia"),
    "history": ("reflection", "admiration", "grief", "pride"),
    "reality": ("amusement", "rivalry", "competition", "excitement"),
    "sport": ("triumph", "determination", "rivalry", "adrenaline"),
    "war": ("courage", "grief", "horror", "camaraderie"),
    "western": ("vengeance", "justice", "tension", "adventure"),
}

GENRE_EMOJI: dict[str, str] = {
    "comedy": "😂", "drama": "🎭", "thriller": "🔪", "action": "💥", "romance": "❤️",
    "documentation": "🎥", "crime": "🚔", "animation": "✨", "family": "👪", "fantasy": "🧙",
    "scifi": "🚀", "european": "🇪🇺", "horror": "👻", "music": "🎵", "history": "📜",
    "reality": "📺", "sport": "🏆", "war": "⚔️", "western": "🤠",
}  # fmt: skip

# The catalog's genres, in one place (the page's genre pickers use this list).
GENRES: tuple[str, ...] = tuple(sorted(GENRE_EMOTIONS))

# Words whose emoji alias misleads (":fire:" is fine, ":man:" says nothing of a plot).
STOP_EMOJI_WORDS: frozenset[str] = frozenset({
    "man", "woman", "person", "people", "boy", "girl", "new", "one", "top", "back", "end", "on",
    "up", "soon", "free", "ok", "cool", "id", "sos", "no", "information", "a", "b", "o", "m",
    "v", "x", "t", "u", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "white", "black", "red", "blue", "green", "high", "it", "name", "it's",
})  # fmt: skip
