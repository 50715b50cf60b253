import math

import pytest
from django.core.management import call_command

from core.communes_import import import_communes
from core.demo import COMMUNES_FILE
from core.models import Commune, CommunePostcode
from core.places import (
    EARTH_RADIUS_KM,
    PlaceError,
    bounding_box,
    distance_km,
    normalise_name,
    parse_coordinates,
    place_for_address,
    resolve_place,
)


@pytest.fixture
def communes(db):
    import_communes(str(COMMUNES_FILE))


def test_normalised_names():
    assert normalise_name("Saint-Pourçain-sur-Sioule") == "saint pourcain sur sioule"
    assert normalise_name("ST POURCAIN SUR SIOULE") == "saint pourcain sur sioule"
    assert normalise_name("Bourbon-l'Archambault") == "bourbon l archambault"


def test_distance_between_known_towns():
    # Moulins – Montluçon, town centres: about 61 km as the crow flies.
    assert distance_km(46.5646, 3.3326, 46.3408, 2.6036) == pytest.approx(61.0, abs=2)
    assert distance_km(46.5646, 3.3326, 46.5646, 3.3326) == 0


@pytest.mark.django_db
def destination(latitude, longitude, bearing_deg, km):
    """The point `km` away from a point along a great circle leaving at `bearing_deg`."""
    phi, lam, theta = math.radians(latitude), math.radians(longitude), math.radians(bearing_deg)
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lam2)


@pytest.mark.parametrize("latitude", [-21.1, 4.9, 46.34, 50.6, 70.0])
@pytest.mark.parametrize("radius", [1, 30, 300, 500])
def test_bounding_box_encloses_the_whole_circle(latitude, radius):
    """Every point at the radius, in every direction, lies in the box (the widest longitude
    is reached north or south of the centre's latitude, not on it)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, 2.6, radius)
    for bearing in range(0, 360, 3):
        lat, lon = destination(latitude, 2.6, bearing, radius)
        assert distance_km(latitude, 2.6, lat, lon) == pytest.approx(radius, rel=1e-9)
        assert min_lat <= lat <= max_lat and min_lon <= lon <= max_lon, (bearing, lat, lon)


def test_resolve_by_name_postcode_and_department(communes):
    assert resolve_place("Montluçon").commune.insee_code == "03185"
    assert resolve_place("montlucon").commune.insee_code == "03185"
    assert resolve_place("03100").label == "Montluçon"
    assert resolve_place("Clermont-Ferrand (63)").commune.insee_code == "63113"
    with pytest.raises(PlaceError, match="inconnu"):
        resolve_place("Atlantide")
    with pytest.raises(PlaceError) as error:  # 03410 is Domérat, Prémilhat and Saint-Victor
        resolve_place("03410")
    assert error.value.code == "ambiguous_place"
    assert "Domérat (03)" in error.value.message


@pytest.mark.django_db
def test_place_for_address(communes):
    assert place_for_address(postcode="03410", commune="Domérat").label == "Domérat"
    assert place_for_address(postcode="03100").label == "Montluçon"
    with pytest.raises(PlaceError):
        place_for_address(postcode="03410")
    with pytest.raises(PlaceError):
        place_for_address()


def test_parse_coordinates():
    assert parse_coordinates("46.34,2.60") == (46.34, 2.6)
    for bad in ("abc", "46.3", "95,2", "46,200", "nan,1"):
        with pytest.raises(ValueError):
            parse_coordinates(bad)


@pytest.mark.django_db
def test_import_is_idempotent_and_reports_skipped_rows(tmp_path, capsys):
    source = tmp_path / "laposte.csv"
    source.write_text(
        "#Code_commune_INSEE;Nom_commune;Code_postal;Libellé_acheminement;Ligne_5;"
        "coordonnees_gps\n"
        "03190;MOULINS;03000;MOULINS;;46.5646,3.3326\n"
        "63113;CLERMONT FERRAND;63000;CLERMONT FERRAND;;45.7772,3.087\n"
        "63113;CLERMONT FERRAND;63100;CLERMONT FERRAND;;45.7772,3.087\n"
        "99999X;NULLE PART;00000;;;1,1\n"
        "03001;ABREST;3200;ABREST;;\n"
        "03013;AVERMES;ABCDE;AVERMES;;46.58,3.30\n",
        encoding="utf-8",
    )
    call_command("import_communes", str(source))
    output = capsys.readouterr().out
    assert "communes: 2 created" in output
    assert "skipped 1 row(s): code INSEE invalide (first at line 5)" in output
    assert "skipped 1 row(s): coordonnées absentes ou invalides (first at line 6)" in output
    assert "skipped 1 row(s): code postal invalide (first at line 7)" in output
    assert sorted(
        CommunePostcode.objects.filter(commune__insee_code="63113").values_list(
            "postcode", flat=True
        )
    ) == ["63000", "63100"]
    call_command("import_communes", str(source))
    assert "0 created, 0 updated, 2 unchanged; postcodes added: 0" in capsys.readouterr().out
    assert Commune.objects.count() == 2


@pytest.mark.django_db
def test_import_reads_the_enriched_csv_and_updates(tmp_path):
    import_communes(str(COMMUNES_FILE))
    moulins = Commune.objects.get(insee_code="03190")
    assert (moulins.name, moulins.department, str(moulins.latitude)) == (
        "Moulins", "03", "46.564600",
    )  # fmt: skip
    changed = tmp_path / "c.csv"
    changed.write_text(
        "code_commune_INSEE,nom_commune_complet,code_postal,latitude,longitude\n"
        "03190,Moulins,03000,46.5650,3.3330\n",
        encoding="utf-8",
    )
    report = import_communes(str(changed))
    assert report.updated == 1
    moulins.refresh_from_db()
    assert str(moulins.latitude) == "46.565000"


@pytest.mark.django_db
def test_import_from_a_url(live_server, tmp_path, settings):
    from django.http import HttpResponse
    from django.urls import path

    def csv_view(request):
        return HttpResponse(
            "code_commune_INSEE,nom_commune_complet,code_postal,latitude,longitude\n"
            "03310,Vichy,03200,46.1278,3.4258\n",
            content_type="text/csv",
        )

    urlpatterns = [path("communes.csv", csv_view)]
    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": urlpatterns})
    report = import_communes(f"{live_server.url}/communes.csv")
    assert report.created == 1


@pytest.mark.django_db
def test_missing_columns_are_refused(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("import_communes", str(bad))
