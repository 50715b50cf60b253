"""Signed links, for people who open a page without signing in (an invitation, a partner's
answer, a prescriber's status link, a beneficiary's bookings): the URL carrying a signed,
timestamped payload, and the payload read back — or the error saying why the link no longer
works (expired: the caller's message; forged or damaged: « Ce lien n'est pas valide. »,
a 404 unless the caller says otherwise)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFoundError


def signed_url(view_name: str, payload, *, salt: str) -> str:
    """The absolute URL of `view_name` (a view taking `token`) carrying `payload`."""
    token = signing.dumps(payload, salt=salt)
    return settings.SITE_URL + reverse(view_name, kwargs={"token": token})


def read_signed(
    token: str,
    *,
    salt: str,
    max_age: timedelta,
    expired: ApplicationError,
    invalid: ApplicationError | None = None,
):
    """The payload of a link signed with `salt` no more than `max_age` ago."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise expired from exc
    except signing.BadSignature as exc:
        raise invalid or invalid_link() from exc


def signed_id(payload, key: str) -> int:
    """The integer id a link's payload carries under `key`, or the invalid-link error (a
    payload signed by us but not of this shape: an old format, another kind of link)."""
    try:
        return int(payload[key])
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid_link() from exc


def invalid_link() -> NotFoundError:
    return NotFoundError(_("Ce lien n'est pas valide."))
