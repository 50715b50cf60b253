"""Private calendar feeds (webcal subscriptions): a partner organisation's bookings, a
person's bookings. The address carries a signed token, so a calendar application can read it
without signing in; the token does not expire (a subscription lives for months), and it names
one partner or one person only."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.enums import BookingStatus
from bookings.models import Booking
from core.errors import NotFoundError

PARTNER_FEED_SALT = "solimob.bookings.partner-feed"
BENEFICIARY_FEED_SALT = "solimob.bookings.beneficiary-feed"
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 120
FEED_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


def _sign(pk: int, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object({"id": pk})


def _unsign(token: str, salt: str) -> int:
    try:
        return int(signing.Signer(salt=salt).unsign_object(token)["id"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NotFoundError(_("Cet agenda n'existe pas.")) from exc


def partner_feed_url(partner) -> str:
    """The address of a partner's agenda, to paste into a calendar application."""
    token = _sign(partner.pk, PARTNER_FEED_SALT)
    return settings.SITE_URL + reverse("partner_calendar_feed", kwargs={"token": token})


def partner_from_feed_token(token: str) -> int:
    """The partner id the token was made for (404 when forged)."""
    return _unsign(token, PARTNER_FEED_SALT)


def beneficiary_feed_url(beneficiary) -> str:
    token = _sign(beneficiary.pk, BENEFICIARY_FEED_SALT)
    return settings.SITE_URL + reverse("beneficiary_calendar_feed", kwargs={"token": token})


def beneficiary_from_feed_token(token: str) -> int:
    return _unsign(token, BENEFICIARY_FEED_SALT)


def webcal(url: str) -> str:
    """The same address with the scheme calendar applications open directly."""
    return "webcal://" + url.split("://", 1)[-1]


def _window(now=None):
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            status__in=FEED_STATUSES,
            starts_at__gte=now - timedelta(days=FEED_PAST_DAYS),
            starts_at__lte=now + timedelta(days=FEED_FUTURE_DAYS),
        )
        .select_related("service__partner__organisation", "beneficiary")
        .order_by("starts_at", "pk")
    )


def partner_feed_bookings(*, partner_id: int, now=None):
    """The partner's requested and confirmed bookings from 30 days ago to 120 days ahead."""
    return _window(now).filter(service__partner_id=partner_id)


def beneficiary_feed_bookings(*, beneficiary_id: int, now=None):
    return _window(now).filter(beneficiary_id=beneficiary_id)
