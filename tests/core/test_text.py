from core.text import fold


def test_fold_removes_case_accents_and_ligatures():
    assert fold("Réparation") == fold("reparation") == fold("RÉPARATION") == "reparation"
    assert fold("Main-d’œuvre") == fold("main-d'oeuvre") == "main-d'oeuvre"
    assert fold("  Montluçon \t Ça  ") == "montlucon ca"
    assert fold("") == fold(None) == ""
