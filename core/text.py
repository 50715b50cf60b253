"""Text folded for searching: what people type and what is stored meet without case or accents.

« Réparation » and « reparation », « Main-d'œuvre » and « main d'oeuvre » fold to the same
letters. The fold is done in Python on both sides (the stored search column and the words
typed), so SQLite and PostgreSQL find the same rows.
"""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
APOSTROPHES = re.compile(r"[\u2019\u2018\u02bc`´]")
SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, without accents, typographic apostrophes made plain, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower().translate(LIGATURES))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return SPACES.sub(" ", APOSTROPHES.sub("'", plain)).strip()
