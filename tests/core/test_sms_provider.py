"""The HTTP SMS backend against a local fake provider, and the provider's callbacks:
delivery reports update the outbox, a STOP opts the number out."""

import json

import pytest
from django.urls import reverse

from core import notifications
from core.enums import NotificationStatus
from core.models import AuditLog, Notification, SmsOptOut
from core.sms import HttpSmsBackend
from core.sms_callbacks import is_stop, sms_delivery_report
from tests.core.fake_sms_provider import API_KEY, FakeSmsProvider
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "callback-secret"  # noqa: S105
REMINDER = {"when": "mardi 3 mars, 9 h 30", "partner": "Garage solidaire",
            "address": "12 rue de la Forêt, Montluçon", "reference": "SM-7K3F-92QD"}  # fmt: skip


@pytest.fixture
def provider(settings):
    with FakeSmsProvider() as fake:
        settings.SMS_BACKEND = "core.sms.HttpSmsBackend"
        settings.SMS_API_URL = fake.url
        settings.SMS_API_KEY = API_KEY
        settings.SMS_SENDER = "Solimob"
        settings.SMS_CALLBACK_TOKEN = TOKEN
        settings.SITE_URL = "https://solimob.example"
        yield fake


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def send_reminder(capture, phone="06 12 34 56 78") -> Notification:
    user = UserFactory(preferred_channel="sms", phone=phone)
    with capture(execute=True):
        row = notifications.notify(template="bookings/reminder", context=REMINDER, user=user)
    return Notification.objects.get(pk=row.pk)


def post(client, name, payload, token=TOKEN, **extra):
    url = reverse(name) + (f"?token={token}" if token else "")
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def test_the_backend_posts_the_message_to_the_provider(provider, capture):
    row = send_reminder(capture)
    assert row.status == NotificationStatus.SENT
    assert row.provider_id == "msg-1"
    (request,) = provider.received
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert request["headers"]["Idempotency-Key"] == f"solimob-sms-{row.pk}"
    assert request["json"] == {
        "from": "Solimob",
        "to": "+33612345678",
        "text": row.body,
        "encoding": "GSM7",
        "reference": str(row.pk),
        "status_callback": f"https://solimob.example/sms/callbacks/status/?token={TOKEN}",
    }
    assert "Montlucon" in request["json"]["text"]


def test_a_refusal_for_good_fails_at_once(provider, capture):
    provider.answers = [(400, {"error": "invalid_number"})]
    row = send_reminder(capture)
    assert row.status == NotificationStatus.FAILED and row.attempts == 1
    assert "HTTP 400" in row.error


def test_a_provider_outage_is_retried(provider, capture):
    provider.answers = [(503, {"error": "unavailable"})]
    row = send_reminder(capture)
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert notifications.deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.provider_id == "msg-2"


def test_the_backend_needs_its_settings(settings):
    settings.SMS_API_URL = ""
    with pytest.raises(RuntimeError):
        HttpSmsBackend()


# --- Delivery reports -------------------------------------------------------------------


def test_a_delivery_report_marks_the_sms_delivered(client, provider, capture):
    row = send_reminder(capture)
    report = {"id": "msg-1", "reference": str(row.pk), "status": "delivered",
              "at": "2026-03-02T09:00:05+01:00"}  # fmt: skip
    assert post(client, "sms_status_callback", report).status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.DELIVERED
    assert row.delivered_at.isoformat() == "2026-03-02T08:00:05+00:00"
    # A later failure report does not undo a delivery.
    report["status"] = "undelivered"
    assert post(client, "sms_status_callback", report).status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.DELIVERED


def test_an_undelivered_report_keeps_the_reason(client, provider, capture):
    row = send_reminder(capture)
    report = {"id": "msg-1", "status": "expired", "error": "absent subscriber"}
    assert post(client, "sms_status_callback", report).status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.UNDELIVERED
    assert "absent subscriber" in row.error
    # An interim status changes nothing.
    assert post(client, "sms_status_callback", {**report, "status": "buffered"}).status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.UNDELIVERED


def test_a_report_before_the_send_is_recorded_is_kept(settings, capture):
    """The provider may call back before our send has written `sent`."""
    from core import sms

    class FastProvider(sms.BaseSmsBackend):
        def send(self, *, to, body, encoding="GSM7", reference=""):
            sms_delivery_report(reference=reference, provider_id="fast-1", status="delivered")
            return "fast-1"

    settings.SMS_BACKEND = f"{__name__}.FastProviderHolder"
    globals()["FastProviderHolder"] = FastProvider
    row = send_reminder(capture)
    assert row.status == NotificationStatus.DELIVERED
    assert row.provider_id == "fast-1" and row.sent_at is not None


@pytest.mark.parametrize(
    ("token", "payload", "status", "code"),
    [
        ("wrong", {"reference": "1", "status": "delivered"}, 403, "permission_denied"),
        ("", {"reference": "1", "status": "delivered"}, 403, "permission_denied"),
        (TOKEN, {"reference": "999999", "status": "delivered"}, 404, "not_found"),
        (TOKEN, {"id": "nope", "status": "delivered"}, 404, "not_found"),
        (TOKEN, {"reference": "1", "status": "lost-in-space"}, 400, "invalid"),
        (TOKEN, ["not", "an", "object"], 400, "malformed_request"),
    ],
)
def test_bad_reports_are_refused(client, provider, token, payload, status, code):
    response = post(client, "sms_status_callback", payload, token=token)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_token_may_come_as_a_bearer_header(client, provider, capture):
    row = send_reminder(capture)
    report = {"reference": str(row.pk), "status": "delivered"}
    response = post(client, "sms_status_callback", report, token="",
                    HTTP_AUTHORIZATION=f"Bearer {TOKEN}")  # fmt: skip
    assert response.status_code == 204


def test_callbacks_are_off_without_a_token(client, settings):
    settings.SMS_CALLBACK_TOKEN = ""
    response = post(client, "sms_status_callback", {"status": "delivered"}, token="")
    assert response.status_code == 404
    assert client.get(reverse("sms_inbound_callback")).status_code == 405


# --- Replies: STOP ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop SMS ", "STOP SMS", "Arrêt", "arreter",
                                  "STOP.", "Désabonner"])  # fmt: skip
def test_stop_words(text):
    assert is_stop(text)


@pytest.mark.parametrize("text", ["", "Merci", "ok à demain", "Je ne peux pas stop"])
def test_not_stop(text):
    assert not is_stop(text)


def test_a_stop_opts_the_number_out_and_no_sms_goes_to_it(client, provider, capture):
    response = post(client, "sms_inbound_callback", {"from": "06 12 34 56 78", "text": "STOP"})
    assert response.status_code == 204
    opt_out = SmsOptOut.objects.get()
    assert (opt_out.phone, opt_out.source) == ("+33612345678", "sms_stop")
    assert AuditLog.objects.filter(action="sms.opted_out", target_id=str(opt_out.pk)).exists()
    # Twice is once.
    post(client, "sms_inbound_callback", {"from": "+33612345678", "text": "stop"})
    assert AuditLog.objects.filter(action="sms.opted_out").count() == 1

    row = send_reminder(capture)
    sms_row = Notification.objects.get(channel="sms", recipient="+33612345678")
    assert sms_row.status == NotificationStatus.REFUSED
    assert "STOP" in sms_row.error
    assert provider.received == []
    assert row.channel == "email"  # the account's e-mail instead
    assert row.status == NotificationStatus.SENT


def test_other_replies_change_nothing(client, provider):
    response = post(client, "sms_inbound_callback", {"from": "+33612345678", "text": "Merci !"})
    assert response.status_code == 204
    assert not SmsOptOut.objects.exists()
    bad = post(client, "sms_inbound_callback", {"from": "pas un numéro", "text": "STOP"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
