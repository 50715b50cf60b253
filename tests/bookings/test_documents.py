"""The voucher (PDF) and the calendar entries (iCalendar) of a booking."""

import base64
import re
import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bookings import documents, hooks, ics
from bookings.models import Booking
from bookings.wording import units_text
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory
from tests.partners.factories import PartnerFactory, ServiceFactory

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")


# --- Helpers ----------------------------------------------------------------------------------


def make_booking(service, person, start: datetime, *, hours=2, status="confirmed", **fields):
    units = Decimal(hours)
    return Booking.objects.create(
        platform=person.platform, beneficiary=person, service=service,
        booked_by=person.adviser, quantity=1, units=units,
        unit_price=service.solidarity_price, market_unit_price=service.market_price,
        total_price=service.solidarity_price * units, market_total=service.market_price * units,
        status=status, starts_at=start, ends_at=start + timedelta(hours=hours), **fields,
    )  # fmt: skip


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (octal and backslash escapes undone)."""
    out, i = bytearray(), 0
    while i < len(literal):
        char = literal[i]
        if char != 0x5C:  # backslash
            out.append(char)
            i += 1
            continue
        following = literal[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(following, following)
            i += 2
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    """The text a PDF made by reportlab shows (its page streams are ASCII85 + Flate encoded),
    in drawing order, with its lines joined by single spaces."""
    lines = []
    for header, raw in re.findall(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        if b"/Subtype /Image" in header:
            continue
        data = raw.strip()
        if b"/ASCII85Decode" in header:
            data = base64.a85decode(data.removesuffix(b"~>"))
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
            lines.append(_unescape(literal).decode("cp1252"))
    return " ".join(" ".join(lines).split())


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def garage(platform):
    organisation = OrganisationFactory(
        partner=True, name="Garage Solidaire du Bourbonnais", address="12 rue des Forges",
        postcode="03000", commune="Moulins", platform=platform,
    )  # fmt: skip
    return PartnerFactory(organisation=organisation)


@pytest.fixture
def repair(garage):
    return ServiceFactory(partner=garage, name="Main-d'œuvre mécanique")


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(
        platform=platform, adviser=adviser, first_name="Élodie", last_name="Müller"
    )


@pytest.fixture
def booking(repair, person):
    return make_booking(repair, person, datetime(2026, 3, 3, 9, 30, tzinfo=PARIS))


# --- Plain French -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_dates_read_as_people_say_them(booking):
    assert documents.when_parts(booking, booking.starts_at.date()) == (
        "mardi 3 mars, 9\xa0h\xa030",  # no-break spaces: a time is never cut
        "jusqu'à 11\xa0h\xa030",
    )
    assert plain(documents.when_sentence(booking)) == "mardi 3 mars 2026, de 9 h 30 à 11 h 30"
    assert units_text(booking.units, booking.service.unit) == "2 heures"


@pytest.mark.django_db
def test_a_rental_names_its_last_day_and_an_overseas_partner_its_local_time(person):
    partner = PartnerFactory(timezone="Indian/Reunion")
    rental = ServiceFactory(partner=partner, rental=True)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=REUNION)
    booking = make_booking(rental, person, start, hours=4 * 24 + 9)
    assert tuple(map(plain, documents.when_parts(booking, start.date()))) == (
        "lundi 2 mars, 9 h",
        "jusqu'au vendredi 6 mars, 18 h",
    )
    assert plain(documents.when_sentence(booking)) == (
        "du lundi 2 mars 2026, 9 h, au vendredi 6 mars 2026, 18 h (heure locale)"
    )
    booking.units = Decimal("1.5")
    assert units_text(booking.units, booking.service.unit) == "1,5 jour"


# --- Voucher ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_voucher_is_a_pdf_with_everything_the_partner_needs(booking):
    pdf = documents.voucher_pdf(booking)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Subtype /Image" in pdf  # the QR code of the reference
    text = pdf_text(pdf)
    for expected in (
        "Bon de prise en charge",
        booking.reference,
        "Statut : Confirmée",
        "Élodie Müller",
        "Main-d'œuvre mécanique",
        "mardi 3 mars 2026, de 9 h 30 à 11 h 30",
        "1 place",
        "2 heures",
        "Garage Solidaire du Bourbonnais",
        "12 rue des Forges, 03000 Moulins",
        # (the PDF prints no-break spaces as spaces; lines are never cut there)
        "130,00 € (65,00 € de l'heure)",
        "70,00 € (35,00 € de l'heure)",
        "Économie",
        "60,00 €",
        "Montant à régler au partenaire 70,00 €",
    ):
        assert expected in text, expected
    assert "Reste à payer" not in text


@pytest.mark.django_db
def test_voucher_says_what_is_covered_and_names_no_programme_benefit_or_loan(booking):
    """Financing answers `bookings.hooks.voucher_financing` (tests/financing prints a real
    plan); here a stand-in answers. The partner reads the voucher: who pays what, as two
    sums, never the person's benefit, the programme or the loan (DESIGN §10)."""

    def answer(sender, *, booking, **kwargs):
        return hooks.VoucherFinancing(covered=Decimal("55.00"), left_to_pay=Decimal("15.00"))

    hooks.voucher_financing.connect(answer, dispatch_uid="tests.voucher")
    try:
        text = pdf_text(documents.voucher_pdf(booking))
    finally:
        hooks.voucher_financing.disconnect(dispatch_uid="tests.voucher")
    assert "Financement" in text
    assert "Pris en charge 55,00 €" in text
    assert "Reste à payer par la personne 15,00 €" in text
    assert "Montant à régler au partenaire" not in text
    for leak in ("RSA", "Département", "aide à la réparation", "Aide :", "Prêt", "Microcrédit"):
        assert leak not in text, leak


@pytest.mark.django_db
def test_voucher_prints_names_its_font_lacks_without_failing(booking):
    booking.beneficiary.first_name = "Małgorzata"
    booking.beneficiary.last_name = "Ștefănescu 李"
    text = pdf_text(documents.voucher_pdf(booking))
    assert "Malgorzata Stefanescu ?" in text


def test_pdf_text_keeps_french_and_replaces_what_helvetica_cannot_print():
    assert documents.pdf_text("Élève à l'œuvre · 35,00\u00a0€") == "Élève à l'œuvre · 35,00\u00a0€"
    assert documents.pdf_text("Łódź 9\u202fh") == "Lódz 9 h"


# --- Calendar ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        ("Europe/Paris", (2026, 3, 3), 8),  # winter: UTC+1
        ("Europe/Paris", (2026, 7, 7), 7),  # summer: UTC+2
        ("Indian/Reunion", (2026, 3, 3), 5),  # UTC+4, no daylight saving
    ],
)
def test_calendar_entry_is_placed_at_the_partners_local_time(person, zone, day, utc_hour):
    day = datetime(*day, 9, 30, tzinfo=ZoneInfo(zone))
    service = ServiceFactory(partner=PartnerFactory(timezone=zone), name="Permis B")
    booking = make_booking(service, person, day)
    entry = ics.booking_ics(booking)
    assert f"DTSTART;TZID={zone}:{day:%Y%m%dT%H%M%S}".encode() in entry
    calendar = parse(entry)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [zone]
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.tzinfo.key == zone
    assert (start.hour, start.minute) == (9, 30)
    assert start.astimezone(ZoneInfo("UTC")).hour == utc_hour
    assert event.decoded("dtend") == booking.ends_at


@pytest.mark.django_db
def test_calendar_entry_names_the_service_the_place_and_the_reference(booking):
    (event,) = parse(ics.booking_ics(booking)).walk("VEVENT")
    assert str(event["uid"]) == f"{booking.reference}@solimob"
    assert str(event["summary"]) == "Main-d'œuvre mécanique — Garage Solidaire du Bourbonnais"
    assert str(event["location"]) == (
        "Garage Solidaire du Bourbonnais, 12 rue des Forges, 03000 Moulins"
    )
    assert booking.reference in str(event["description"])
    assert "Confirmée" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "ics_status"),
    [("requested", "TENTATIVE"), ("cancelled", "CANCELLED"), ("declined", "CANCELLED")],
)
def test_calendar_entry_status_follows_the_booking(booking, status, ics_status):
    booking.status = status
    (event,) = parse(ics.booking_ics(booking)).walk("VEVENT")
    assert str(event["status"]) == ics_status


@pytest.mark.django_db
def test_feed_has_one_event_per_booking_and_names_the_person_for_the_partner(
    booking, repair, person
):
    second = make_booking(repair, person, datetime(2026, 7, 7, 14, 0, tzinfo=PARIS))
    calendar = parse(ics.calendar_feed([booking, second], "Solimob — Garage"))
    assert str(calendar["x-wr-calname"]) == "Solimob — Garage"
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        f"{booking.reference}@solimob",
        f"{second.reference}@solimob",
    ]
    assert len(calendar.walk("VTIMEZONE")) == 1
    partner_view = parse(ics.calendar_feed([booking], "Agenda", for_partner=True))
    (event,) = partner_view.walk("VEVENT")
    assert str(event["summary"]) == "Main-d'œuvre mécanique — Élodie Müller"
