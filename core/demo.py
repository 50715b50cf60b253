from pathlib import Path

from core.communes_import import import_communes

COMMUNES_FILE = Path(__file__).resolve().parent / "data" / "communes_allier.csv"


def seed_communes() -> None:
    """The Allier's main communes and their neighbours, so places resolve offline."""
    import_communes(str(COMMUNES_FILE))
