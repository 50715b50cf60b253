"""A person followed by a platform gets SMS only with their SMS consent (core.sms_consent,
answered by beneficiaries.receivers); a STOP withdraws it, audited; recording the consent
again lifts the STOP."""

import pytest

from beneficiaries import journey
from beneficiaries.enums import ConsentPurpose
from core import notifications, sms
from core.enums import NotificationStatus
from core.models import AuditLog, Notification, SmsOptOut
from core.sms_callbacks import sms_reply
from tests.beneficiaries.factories import BeneficiaryFactory, give_sms_consent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {
    "when": "mardi 3 mars, 9 h 30",
    "partner": "Garage solidaire",
    "address": "Montluçon",
    "reference": "SM-7K3F-92QD",
    "url": "https://x.test/",
}


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(platform=platform, adviser=adviser, phone="+33600000001",
                              email="lea@exemple.test")  # fmt: skip


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def remind(capture, **kwargs) -> Notification:
    with capture(execute=True):
        return notifications.notify(template="bookings/reminder", context=CONTEXT, **kwargs)


def test_without_consent_the_sms_is_refused_and_the_email_sent(person, capture):
    row = remind(capture, channel="sms", recipient=person.phone)
    refused = Notification.objects.get(channel="sms")
    assert refused.status == NotificationStatus.REFUSED
    assert refused.error == "La personne n'a pas donné son accord pour les SMS."
    assert refused.attempts == 0 and sms.outbox == []
    assert (row.channel, row.recipient) == ("email", "lea@exemple.test")
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT


def test_without_consent_nor_email_nothing_is_sent(platform, capture):
    person = BeneficiaryFactory(platform=platform, phone="+33600000002", email="")
    row = remind(capture, channel="sms", recipient=person.phone)
    assert row.status == NotificationStatus.REFUSED
    assert Notification.objects.count() == 1 and sms.outbox == []


def test_with_consent_the_sms_is_sent(person, adviser, capture):
    give_sms_consent(person, by=adviser)
    row = remind(capture, channel="sms", recipient=person.phone)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert [m["to"] for m in sms.outbox] == ["+33600000001"]


def test_a_person_with_an_account_needs_consent_too(platform, capture):
    account = UserFactory(preferred_channel="sms", phone="+33612345678", email="moi@exemple.test")
    BeneficiaryFactory(platform=platform, user=account, phone="+33612345678")
    row = remind(capture, user=account)
    assert (row.channel, row.recipient) == ("email", "moi@exemple.test")
    assert Notification.objects.get(channel="sms").status == NotificationStatus.REFUSED


def test_staff_who_chose_sms_are_not_asked(adviser, capture):
    adviser.preferred_channel, adviser.phone = "sms", "+33611111111"
    adviser.save()
    row = remind(capture, user=adviser)
    row.refresh_from_db()
    assert (row.channel, row.status) == ("sms", NotificationStatus.SENT)


def test_two_records_with_one_number_both_need_consent(person, platform, other_platform, adviser,
                                                       capture):  # fmt: skip
    give_sms_consent(person, by=adviser)
    BeneficiaryFactory(platform=other_platform, phone=person.phone)  # no consent there
    row = remind(capture, channel="sms", recipient=person.phone)
    assert row.channel == "email"


def test_consent_withdrawn_before_the_send_stops_the_sms(person, adviser):
    consent = give_sms_consent(person, by=adviser)
    row = notifications.notify(
        template="bookings/reminder", context=CONTEXT, channel="sms", recipient=person.phone
    )  # fmt: skip  (not sent yet)
    journey.consent_withdraw(actor=adviser, consent_id=consent.pk)
    assert notifications.deliver(notification_id=row.pk) == "refused"
    row.refresh_from_db()
    assert row.status == NotificationStatus.REFUSED and sms.outbox == []
    assert Notification.objects.filter(channel="email", recipient="lea@exemple.test").exists()


def test_a_stop_withdraws_the_consent_and_is_audited(person, adviser):
    consent = give_sms_consent(person, by=adviser)
    assert sms_reply(sender="06 00 00 00 01", text="STOP")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    entry = AuditLog.objects.get(action="consent.withdrawn")
    assert entry.target_id == str(person.pk) and entry.actor is None
    assert entry.data == {"purpose": "sms", "source": "sms_stop"}
    assert AuditLog.objects.filter(action="sms.opted_out").count() == 1


def test_consent_recorded_again_lifts_the_stop(person, adviser,
                                               capture):  # fmt: skip
    give_sms_consent(person, by=adviser)
    sms_reply(sender=person.phone, text="STOP")
    assert SmsOptOut.objects.filter(phone=person.phone).exists()
    journey.consent_give(actor=adviser, beneficiary_id=person.pk, purpose=ConsentPurpose.SMS)
    assert not SmsOptOut.objects.exists()
    assert AuditLog.objects.filter(action="sms.opted_in", actor=adviser).exists()
    row = remind(capture, channel="sms", recipient=person.phone)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
