"""Idempotency keys: a request sent twice with the same key makes one booking.

The API takes the key from its `Idempotency-Key` header; the booking form carries one in a
hidden field from the confirmation step, so that a double click lands on the same booking.
The first answer is stored per (user, key) for `WINDOW`; a repeat with the same request
gets it back; the same key with another request is 409 `idempotency_key_reused`. Two
concurrent requests with one key make one booking: the loser's transaction rolls back on
the (user, key) unique constraint and it answers what the winner answered.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import IdempotencyRecord
from core.enums import ErrorCode
from core.errors import ConflictError

WINDOW = timedelta(hours=24)
KEY_MAX_LENGTH = 255

Answer = tuple[int, dict]  # (HTTP status, JSON-able payload)


def request_hash(data) -> str:
    """A digest of what was asked, to tell a replay from another request with the same key."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_once(*, user, key: str, digest: str, run: Callable[[], Answer]) -> Answer:
    """`run()`'s answer, computed once per (user, key) within WINDOW, then replayed."""
    replay = _replay(user, key, digest)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            status, payload = run()
            IdempotencyRecord.objects.create(
                user=user, key=key, request_hash=digest, status_code=status, response=payload
            )
    except IntegrityError:
        # The same key won a concurrent race: answer what that request answered.
        replay = _replay(user, key, digest)
        if replay is None:
            raise
        return replay
    return status, payload


def _replay(user, key: str, digest: str) -> Answer | None:
    IdempotencyRecord.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - WINDOW
    ).delete()
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.request_hash != digest:
        raise ConflictError(
            _("Cette clé d'idempotence a déjà servi pour une autre demande."),
            code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    return record.status_code, record.response
