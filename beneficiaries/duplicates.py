"""Duplicate detection key: normalised last name, first name and birth date."""

import re
import unicodedata


def _normalise(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z]", "", text)  # hyphens, spaces, apostrophes go


def duplicate_key(last_name: str, first_name: str, birth_date) -> str:
    """'Müller-Durand', 'Élodie', 1990-02-01 and 'MULLER DURAND', 'elodie' meet here."""
    if not (last_name and first_name):
        return ""
    day = birth_date.isoformat() if birth_date else ""
    return f"{_normalise(last_name)}|{_normalise(first_name)}|{day}"


def search_words(text: str) -> list[str]:
    """« Léa  MARTIN-Dupré, 1990 » → ["lea", "martin", "dupre", "1990"]: lower case, no
    accents, letters and digits only."""
    value = unicodedata.normalize("NFKD", text or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", value).split()


def search_text(person) -> str:
    """What the person search matches: names, commune and birth year, as `search_words`
    writes them (kept on `Beneficiary.search_text` by its `save()`)."""
    year = str(person.birth_date.year) if person.birth_date else ""
    words = search_words(f"{person.last_name} {person.first_name} {person.commune} {year}")
    return " ".join(words)[:400]
