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
