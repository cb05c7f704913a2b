"""What a promo code looks like: readable, upper-case Latin letters and digits, made from the partner's name."""
from __future__ import annotations

import re
import secrets

from services.kernel import validation

MIN_LEN, MAX_LEN = 4, 16
STEM_MAX = 8  # IVAN, ALEKSAND…: the name part; digits follow
DIGITS = "23456789"  # no 0/1: they read as O/I when someone types the code from a banner
_CODE = re.compile(rf"[A-Z0-9]{{{MIN_LEN},{MAX_LEN}}}")
_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def normalize(text: str) -> str:
    """How a code is stored and looked up: trimmed, Cyrillic transliterated, upper-case (so "ivan25", "IVAN25"
    and a manager's "ИВАН25" are one code)."""
    return transliterate(text.strip()).upper()


def parse(text: str) -> str:
    """A code typed by a manager; raises validation.Invalid with the rules."""
    code = normalize(text)
    if not _CODE.fullmatch(code):
        raise validation.Invalid("promo-err-format", {"min": MIN_LEN, "max": MAX_LEN})
    return code


def stem(name: str | None) -> str:
    """The letters of the first word of the name, transliterated: "Иван Петров" → IVAN."""
    words = (name or "").split()
    letters = re.sub(r"[^A-Z]", "", normalize(words[0])) if words else ""
    return letters[:STEM_MAX] if len(letters) >= 2 else "PROMO"


def candidate(name: str | None, attempt: int) -> str:
    """The attempt-th guess: two digits at first, more once those collide (IVAN25, IVAN25, …, IVAN483)."""
    digits = 2 if attempt < 8 else 3 if attempt < 16 else 4
    return stem(name) + "".join(secrets.choice(DIGITS) for _ in range(digits))
