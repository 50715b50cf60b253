"""What the SMS provider tells us back: delivery reports and replies (STOP).

`sms_delivery_report` moves an SMS of the outbox from `sent` to `delivered` or
`undelivered` (a report may come before our own send has recorded `sent`: it is applied to
a row still `sending` too, and the send then keeps it). `sms_reply` reads what a person
answered: STOP (and its French variants) opts the number out (`core.sms_consent`), which
withdraws the person's SMS consent and is audited; anything else is ignored and not kept.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.enums import ErrorCode, NotificationChannel, NotificationStatus
from core.errors import ApplicationError, NotFoundError
from core.models import Notification
from core.phones import normalise_phone, phone_number
from core.sms_consent import sms_opt_out
from core.text import fold

S = NotificationStatus
# The provider's final statuses, and ours. Interim ones (accepted, queued...) change nothing.
FINAL = {"delivered": S.DELIVERED, "undelivered": S.UNDELIVERED, "failed": S.UNDELIVERED,
         "expired": S.UNDELIVERED, "rejected": S.UNDELIVERED}  # fmt: skip
INTERIM = {"accepted", "queued", "submitted", "sent", "buffered", "enroute"}
# What a report may move an SMS from, for each final status (a late success report
# corrects an earlier failure; nothing undoes a delivery).
MOVES_FROM = {
    S.DELIVERED: (S.SENDING, S.SENT, S.UNDELIVERED),
    S.UNDELIVERED: (S.SENDING, S.SENT),
}
STOP_WORDS = {"stop", "stopsms", "arret", "arreter", "desabonner", "desinscrire",
              "desinscription", "unsubscribe"}  # fmt: skip


def _sms_row(reference: str, provider_id: str) -> Notification:
    rows = Notification.objects.filter(channel=NotificationChannel.SMS)
    if reference.isdigit():
        row = rows.filter(pk=int(reference)).first()
        if row is not None and provider_id and row.provider_id not in ("", provider_id):
            row = None
    elif provider_id:
        row = rows.filter(provider_id=provider_id).first()
    else:
        row = None
    if row is None:
        raise NotFoundError(_("SMS inconnu."))
    return row


@transaction.atomic
def sms_delivery_report(*, reference: str = "", provider_id: str = "", status: str,
                        error: str = "", at: str = "") -> Notification:  # fmt: skip
    status = (status or "").strip().lower()
    if status not in FINAL and status not in INTERIM:
        raise ApplicationError(_("Statut de remise inconnu : %s.") % status[:40],
                               code=ErrorCode.INVALID)  # fmt: skip
    row = _sms_row(str(reference or "").strip(), str(provider_id or "").strip())
    if status in INTERIM:
        return row
    target = FINAL[status]
    when = parse_datetime(at or "") or timezone.now()
    fields = {"status": target, "updated_at": timezone.now()}
    if provider_id and not row.provider_id:
        fields["provider_id"] = str(provider_id)[:100]
    if target == S.DELIVERED:
        fields.update(delivered_at=when, error="")
    else:
        fields["error"] = (_("Non remis par l'opérateur : %s") % (error or status))[:2000]
    Notification.objects.filter(pk=row.pk, status__in=MOVES_FROM[target]).update(**fields)
    row.refresh_from_db()
    return row


def is_stop(text: str) -> bool:
    words = fold(text).replace("-", " ").replace(".", " ").replace("!", " ").split()
    return bool(words) and (words[0] in STOP_WORDS or "".join(words[:2]) == "stopsms")


def sms_reply(*, sender: str, text: str) -> bool:
    """A person's answer: True when it was a STOP, which is then recorded."""
    if phone_number(sender) is None:
        raise ApplicationError(_("Numéro d'expéditeur illisible."), code=ErrorCode.INVALID)
    if not is_stop(text):
        return False
    sms_opt_out(phone=normalise_phone(sender), source="sms_stop")
    return True
