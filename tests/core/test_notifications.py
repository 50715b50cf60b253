from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core import notifications, sms
from core.enums import NotificationChannel, NotificationStatus
from core.models import Notification
from core.tasks import send_notification, sweep_notifications
from tests.factories import UserFactory

INVITE_CONTEXT = {
    "organisation": "Plateforme A",
    "role": "Conseiller·ère mobilité",
    "inviter": "Claire Dumas",
    "url": "http://127.0.0.1:8000/invitation/abc/",
    "days": 14,
}


@pytest.mark.django_db
def test_notify_writes_the_row_and_sends_only_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@exemple.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notifications.notify(
            template="accounts/invitation", context=INVITE_CONTEXT, user=user
        )
        assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea@exemple.test"]
    assert message.subject == "Invitation à rejoindre Plateforme A sur Solimob"
    assert "Claire Dumas vous invite" in message.body
    assert INVITE_CONTEXT["url"] in message.body


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_event_sends_nothing():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(template="accounts/invitation", context=INVITE_CONTEXT, user=user)
        raise RuntimeError("the event failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_sms_users_get_an_sms_and_fall_back_to_email_without_phone(
    django_capture_on_commit_callbacks,
):
    with_phone = UserFactory(preferred_channel="sms", phone="06 12 34 56 78")
    without_phone = UserFactory(preferred_channel="sms", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        by_sms = notifications.notify(
            template="accounts/invitation", context=INVITE_CONTEXT, user=with_phone
        )
        by_mail = notifications.notify(
            template="accounts/invitation", context=INVITE_CONTEXT, user=without_phone
        )
    assert (by_sms.channel, by_sms.recipient) == (NotificationChannel.SMS, "+33612345678")
    assert by_mail.channel == NotificationChannel.EMAIL
    assert [m["to"] for m in sms.outbox] == ["+33612345678"]
    assert "Claire Dumas vous invite" in sms.outbox[0]["body"]
    assert [m.to for m in mail.outbox] == [[without_phone.email]]


@pytest.mark.django_db
def test_notify_renders_in_the_readers_language():
    user = UserFactory(language="en")
    notification = notifications.notify(
        template="accounts/invitation", context=INVITE_CONTEXT, user=user
    )
    assert notification.subject == "Invitation to join Plateforme A on Solimob"


@pytest.mark.django_db
def test_a_task_that_runs_twice_sends_once():
    notification = notifications.outbox_write(
        channel="email", recipient="a@exemple.test", template="t", subject="S", body="B"
    )
    assert send_notification(notification.pk) == notifications.DeliveryOutcome.SENT
    assert send_notification(notification.pk) == notifications.DeliveryOutcome.ALREADY_HANDLED
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failures_are_recorded_retried_then_marked_failed(settings, monkeypatch):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3

    def broken(notification):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "_send", broken)
    notification = notifications.outbox_write(
        channel="email", recipient="a@exemple.test", template="t", subject="S", body="B"
    )
    assert notifications.deliver(notification_id=notification.pk) == "retry"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)
    assert notification.error == "ConnectionError: smtp down"
    assert notifications.deliver(notification_id=notification.pk) == "retry"
    assert notifications.deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 3)
    # A failed row is never picked up again.
    assert notifications.deliver(notification_id=notification.pk) == "already_handled"


@pytest.mark.django_db
def test_eager_task_records_one_attempt_and_leaves_the_row_to_the_sweep(monkeypatch):
    calls = []

    def broken(notification):
        calls.append(notification.pk)
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "_send", broken)
    notification = notifications.outbox_write(
        channel="email", recipient="a@exemple.test", template="t", subject="S", body="B"
    )
    result = send_notification.apply(args=[notification.pk])
    assert result.get() == notifications.DeliveryOutcome.RETRY
    notification.refresh_from_db()
    assert calls == [notification.pk]
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)


@pytest.mark.django_db
def test_sweep_resends_what_is_stuck(settings):
    settings.NOTIFICATION_STUCK_MINUTES = 10
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        never_enqueued = notifications.outbox_write(
            channel="email", recipient="a@exemple.test", template="t", subject="S", body="B"
        )
        half_sent = notifications.outbox_write(
            channel="email", recipient="b@exemple.test", template="t", subject="S", body="B"
        )
        Notification.objects.filter(pk=half_sent.pk).update(
            status=NotificationStatus.SENDING, last_attempt_at=start
        )
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert notifications.stuck_notification_ids() == []
        fresh = notifications.outbox_write(
            channel="email", recipient="c@exemple.test", template="t", subject="S", body="B"
        )
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        assert notifications.stuck_notification_ids() == [never_enqueued.pk, half_sent.pk]
        assert sweep_notifications() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.test", "b@exemple.test"]
    fresh.refresh_from_db()
    assert fresh.status == NotificationStatus.PENDING


@pytest.mark.django_db
def test_no_recipient_writes_nothing():
    user = UserFactory.build(email="", phone="")
    assert (
        notifications.notify(
            template="accounts/invitation", context=INVITE_CONTEXT, user=user, channel="email"
        )
        is None
    )
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_plain_text_messages_are_not_html_escaped():
    user = UserFactory(email="marc@exemple.test")
    notification = notifications.notify(
        template="accounts/invitation",
        context={**INVITE_CONTEXT, "organisation": "Garage l'Entraide & Co <03>"},
        user=user,
    )
    assert "Garage l'Entraide & Co <03>" in notification.subject
    assert "&#x27;" not in notification.body and "&amp;" not in notification.body
