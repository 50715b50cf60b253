"""GSM-7 or UCS-2, segments, the cap (core.sms_text), and the outbox row that records them."""

import pytest

from core import notifications
from core.models import Notification
from core.sms_text import GSM7, UCS2, is_gsm7, prepare, segment_count, transliterate
from tests.factories import UserFactory

REMINDER = {
    "when": "mardi 3 mars, 9 h 30",
    "partner": "Garage solidaire de Montluçon",
    "address": "12 rue de la Forêt, 03100 Montluçon",
    "reference": "SM-7K3F-92QD",
}


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", GSM7, 0),
        ("a" * 160, GSM7, 1),
        ("a" * 161, GSM7, 2),
        ("a" * 306, GSM7, 2),
        ("a" * 307, GSM7, 3),
        ("€" * 80, GSM7, 1),  # the extension table: two septets each
        ("€" * 81, GSM7, 2),
        ("a" * 152 + "€" + "a" * 10, GSM7, 2),  # the pair fits at the end of the first
        ("a" * 152 + "€" + "a" * 152, GSM7, 3),  # 306 septets, but the € is never split
        ("é" * 70, UCS2, 1),
        ("é" * 71, UCS2, 2),
        ("😀" * 35, UCS2, 1),  # two UTF-16 code units each
        ("😀" * 36, UCS2, 2),
        ("a" * 66 + "😀", UCS2, 1),
        ("a" * 66 + "😀" + "a" * 66, UCS2, 3),  # 134 units, but a pair is never split
    ],
)
def test_segments(text, encoding, segments):
    assert segment_count(text, encoding) == segments


def test_french_letters_and_typography_become_gsm7():
    text = "L\u2019atelier « Garage » de Montluçon : 28,00\u202f€ — à bientôt, Noël, cœur…"
    assert transliterate(text) == (
        'L\'atelier " Garage " de Montlucon : 28,00 € - à bientot, Noel, coeur...'
    )
    assert is_gsm7(transliterate(text))
    # What GSM-7 has stays as written: é è à ù É Ä Ñ ü.
    assert transliterate("été à Vichy, où Élodie") == "été à Vichy, où Élodie"


def test_a_text_that_stays_outside_gsm7_goes_as_ucs2_intact():
    sent = prepare("Bonjour Zoë, rendez-vous demain 🚗", max_segments=3)
    assert (sent.encoding, sent.text) == (UCS2, "Bonjour Zoë, rendez-vous demain 🚗")
    arabic = prepare("مرحبا Zoë", max_segments=3)
    assert arabic.encoding == UCS2 and arabic.text == "مرحبا Zoë"


def test_without_transliteration_french_letters_go_as_ucs2():
    sent = prepare("Votre rendez-vous est à 9 h, à bientôt", max_segments=3,
                   transliterate_text=False)  # fmt: skip
    assert sent.encoding == UCS2 and "bientôt" in sent.text


def test_the_cap_cuts_at_a_word_with_an_ellipsis():
    body = " ".join(["rendez-vous"] * 60)  # 719 characters
    sent = prepare(body, max_segments=2)
    assert sent.truncated and sent.segments == 2
    assert sent.text.endswith("rendez-vous...")
    assert len(sent.text) <= 306
    assert not prepare("Court.", max_segments=1).truncated


def test_the_cap_counts_ucs2_units():
    sent = prepare("🚗 " * 100, max_segments=1)
    assert sent.encoding == UCS2 and sent.segments == 1 and sent.truncated


@pytest.mark.django_db
def test_the_outbox_stores_the_sms_as_sent_with_its_encoding_and_segments(settings):
    settings.SMS_MAX_SEGMENTS = 1
    user = UserFactory(preferred_channel="sms", phone="06 12 34 56 78")
    row = notifications.notify(template="bookings/reminder", context=REMINDER, user=user)
    row = Notification.objects.get(pk=row.pk)
    assert row.channel == "sms" and row.encoding == GSM7 and row.segments == 1
    assert "Montlucon" in row.body and "Montluçon" not in row.body
    assert segment_count(row.body, GSM7) == 1
