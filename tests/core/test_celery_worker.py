"""A real Celery worker (in a thread) consuming from Redis delivers what the outbox holds."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging, task_postrun
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from core import notifications
from core.enums import NotificationChannel, NotificationStatus
from core.models import Notification
from core.tasks import send_notification, sweep_notifications
from tests.factories import UserFactory
from tests.services import redis_url_or_unavailable

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 20


def wait_until(predicate, *, timeout=WAIT_SECONDS, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def celery_worker():
    """Start a worker on the Redis broker; tasks are queued, not run eagerly, meanwhile.

    Tasks go to a queue of this test's own, so that a worker started by `make worker` on
    the same Redis cannot take them (and run them against another database).
    """
    redis_url = redis_url_or_unavailable()
    from config.celery import app

    assert app.conf.broker_url == redis_url
    assert app.conf.broker_url.startswith("redis://")

    runs = []

    def record(sender=None, task_id=None, task=None, retval=None, **kwargs):
        runs.append({"task": task.name, "retval": retval, "thread": threading.get_ident()})
        if threading.current_thread() is not threading.main_thread():
            # The worker thread's connection would otherwise outlive the test database.
            connections.close_all()

    def keep_logging(**kwargs):
        """A setup_logging receiver stops the worker from rewiring the root logger."""

    queue = f"solimob-test-{uuid.uuid4().hex}"
    saved = {
        "eager": app.conf.task_always_eager,
        "queue": app.conf.task_default_queue,
        "consume_from": app.amqp.queues._consume_from,
    }
    task_postrun.connect(record, weak=False)
    setup_logging.connect(keep_logging, weak=False)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[queue]
        ):
            yield runs
    finally:
        app.conf.task_always_eager = saved["eager"]
        app.conf.task_default_queue = saved["queue"]
        app.amqp.queues._consume_from = saved["consume_from"]
        task_postrun.disconnect(record)
        setup_logging.disconnect(keep_logging)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


def test_a_task_runs_in_the_worker_not_in_the_test(celery_worker):
    runs = celery_worker
    stuck = Notification.objects.create(
        channel=NotificationChannel.EMAIL,
        recipient="bloquee@exemple.test",
        template="test/stuck",
        subject="Relance",
        body="Un message resté dans l'outbox.",
    )
    Notification.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))

    sweep_notifications.delay()

    assert wait_until(lambda: any(r["task"] == sweep_notifications.name for r in runs))
    sweep = next(r for r in runs if r["task"] == sweep_notifications.name)
    assert sweep["retval"] == 1
    assert sweep["thread"] != threading.main_thread().ident
    # The sweep re-enqueued the stuck row, and the worker sent it.
    assert wait_until(
        lambda: Notification.objects.get(pk=stuck.pk).status == NotificationStatus.SENT
    )
    assert [m.to for m in mail.outbox] == [["bloquee@exemple.test"]]


def test_a_notification_written_in_a_transaction_is_delivered_by_the_worker(celery_worker):
    runs = celery_worker
    user = UserFactory()

    with transaction.atomic():
        notification = notifications.notify(
            template="accounts/invitation",
            context={
                "inviter": "Dominique",
                "organisation": "Plateforme A",
                "role": "Conseiller·ère mobilité",
                "days": 14,
                "url": "http://testserver/invitation/abc/",
            },
            user=user,
        )
        assert notification.status == NotificationStatus.PENDING
        # Nothing is queued before the commit.
        time.sleep(0.3)
        assert not runs

    def delivered():
        notification.refresh_from_db()
        return notification.status == NotificationStatus.SENT

    assert wait_until(delivered), (notification.status, notification.error)
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.error == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == notification.subject
    assert "Plateforme A" in mail.outbox[0].subject
    assert mail.outbox[0].body == notification.body
    assert "http://testserver/invitation/abc/" in mail.outbox[0].body
    assert [r["task"] for r in runs] == [send_notification.name]
    assert runs[0]["retval"] == notifications.DeliveryOutcome.SENT
    assert runs[0]["thread"] != threading.main_thread().ident


def test_a_rolled_back_notification_is_never_sent(celery_worker):
    runs = celery_worker
    user = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.outbox_write(
            channel=NotificationChannel.EMAIL,
            recipient=user.email,
            user=user,
            template="test/rollback",
            body="Ne doit pas partir.",
        )
        raise RuntimeError("rollback")

    # A marker sent afterwards proves the worker was running and had drained the queue.
    with transaction.atomic():
        marker = notifications.outbox_write(
            channel=NotificationChannel.EMAIL,
            recipient="marqueur@exemple.test",
            template="test/marker",
            body="Marqueur.",
        )
    assert wait_until(
        lambda: Notification.objects.get(pk=marker.pk).status == NotificationStatus.SENT
    )
    assert not Notification.objects.filter(template="test/rollback").exists()
    assert [m.to for m in mail.outbox] == [["marqueur@exemple.test"]]
    assert len(runs) == 1
