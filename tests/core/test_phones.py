"""core.phones: what people type → E.164 → how a French reader writes it; which numbers take
an SMS; the `phone` template filter; notify() texting mobiles only."""

import pytest
from django.template import Context, Template

from core import notifications, sms
from core.enums import NotificationChannel
from core.phones import can_receive_sms, display_phone, is_valid_phone, normalise_phone
from tests.factories import UserFactory

# typed, stored (E.164), displayed, textable
NUMBERS = [
    # Metropolitan France, in every usual way of writing it.
    ("06 12 34 56 78", "+33612345678", "06 12 34 56 78", True),
    ("0612345678", "+33612345678", "06 12 34 56 78", True),
    ("06.12.34.56.78", "+33612345678", "06 12 34 56 78", True),
    ("06-12-34-56-78", "+33612345678", "06 12 34 56 78", True),
    ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78", True),
    ("+33 (0)6 12 34 56 78", "+33612345678", "06 12 34 56 78", True),
    ("0033 6 12 34 56 78", "+33612345678", "06 12 34 56 78", True),
    ("07 81 23 45 67", "+33781234567", "07 81 23 45 67", True),
    ("04 70 12 34 56", "+33470123456", "04 70 12 34 56", False),  # a landline (Allier)
    ("09 12 34 56 78", "+33912345678", "09 12 34 56 78", False),  # a box (VoIP)
    ("0800 12 34 56", "+33800123456", "0 800 12 34 56", False),  # freephone: national, +33
    # Réunion: mobiles 0692/0693 and lines 0262 are +262, not +33.
    ("0692 12 34 56", "+262692123456", "0692 12 34 56", True),
    ("0693 01 23 45", "+262693012345", "0693 01 23 45", True),
    ("0262 12 34 56", "+262262123456", "0262 12 34 56", False),
    ("+262 692 12 34 56", "+262692123456", "0692 12 34 56", True),
    ("00262 692 12 34 56", "+262692123456", "0692 12 34 56", True),
    ("+33 6 92 12 34 56", "+262692123456", "0692 12 34 56", True),  # the old, wrong +33
    # Mayotte: 0269 and 0639, also +262.
    ("0269 61 23 45", "+262269612345", "0269 61 23 45", False),
    ("0639 01 23 45", "+262639012345", "0639 01 23 45", True),
    # Guadeloupe: 0590 and 0690 → +590.
    ("0590 12 34 56", "+590590123456", "0590 12 34 56", False),
    ("0690 12 34 56", "+590690123456", "0690 12 34 56", True),
    # Martinique: 0596 and 0696 → +596.
    ("0596 70 12 34", "+596596701234", "0596 70 12 34", False),
    ("0696 12 34 56", "+596696123456", "0696 12 34 56", True),
    # Guyane: 0594 and 0694 → +594.
    ("0594 12 34 56", "+594594123456", "0594 12 34 56", False),
    ("0694 12 34 56", "+594694123456", "0694 12 34 56", True),
    # The new overseas mobile ranges (07 09 …), told apart by phonenumbers.
    ("07 09 20 12 34", "+262709201234", "0709 20 12 34", True),
    ("07 09 11 23 45", "+596709112345", "0709 11 23 45", True),
    # Abroad: stored and shown internationally.
    ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958", False),
    ("+44 7400 123456", "+447400123456", "+44 7400 123456", True),
    ("0032 470 12 34 56", "+32470123456", "+32 470 12 34 56", True),
]
INVALID = [
    "12",
    "12 34",
    "0612",
    "06 12 34 56 78 9",
    "00 00 00 00 00",
    "0639 12 34 56",  # a Mayotte mobile block that does not exist
    "+44 12",
    "appelez-moi",
    "+33 6 12 34 56 78 90 12 34 56",
]


@pytest.mark.parametrize(("typed", "stored", "displayed", "textable"), NUMBERS)
def test_numbers_are_stored_e164_and_read_the_french_way(typed, stored, displayed, textable):
    assert normalise_phone(typed) == stored
    assert normalise_phone(stored) == stored  # stable
    assert is_valid_phone(typed) and is_valid_phone(stored)
    assert display_phone(stored) == displayed
    assert display_phone(typed) == displayed
    assert can_receive_sms(stored) is textable


@pytest.mark.parametrize("typed", INVALID)
def test_what_is_not_a_number_is_kept_for_the_validator_to_refuse(typed):
    assert not is_valid_phone(typed)
    assert normalise_phone(f"  {typed} ") == typed
    assert display_phone(typed) == typed
    assert not can_receive_sms(typed)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_stays_blank(blank):
    assert normalise_phone(blank) == ""
    assert display_phone(blank) == ""
    assert not is_valid_phone(blank)
    assert not can_receive_sms(blank)


def test_the_template_filter_is_display_phone():
    template = Template("{% load phones %}{{ a|phone }} / {{ b|phone }} / {{ c|phone }}")
    rendered = template.render(
        Context({"a": "+33612345678", "b": "+262692123456", "c": "+442079460958"})
    )
    assert rendered == "06 12 34 56 78 / 0692 12 34 56 / +44 20 7946 0958"


@pytest.mark.django_db
def test_sms_users_with_a_landline_are_written_to(django_capture_on_commit_callbacks):
    context = {"organisation": "Plateforme A", "role": "Conseiller·ère", "inviter": "Claire",
               "url": "http://127.0.0.1:8000/invitation/abc/", "days": 14}  # fmt: skip
    landline = UserFactory(preferred_channel="sms", phone="04 70 12 34 56")
    reunion = UserFactory(preferred_channel="sms", phone="0692 12 34 56")
    with django_capture_on_commit_callbacks(execute=True):
        by_mail = notifications.notify(
            template="accounts/invitation", context=context, user=landline
        )
        by_sms = notifications.notify(template="accounts/invitation", context=context, user=reunion)
    assert (by_mail.channel, by_mail.recipient) == (NotificationChannel.EMAIL, landline.email)
    assert (by_sms.channel, by_sms.recipient) == (NotificationChannel.SMS, "+262692123456")
    assert [m["to"] for m in sms.outbox] == ["+262692123456"]
