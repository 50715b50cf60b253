"""The signed link of a waiting-list offer (`/place/<token>/`), valid
`WAITLIST_OFFER_HOURS`: sent by SMS or e-mail to the person, who needs no account."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ConflictError
from core.links import read_signed, signed_id, signed_url

OFFER_SALT = "solimob.waitlist.offer"


class OfferExpired(ConflictError):
    default_code = ErrorCode.OFFER_EXPIRED


def offer_url(offer) -> str:
    return signed_url("waitlist_offer_link", {"o": offer.pk}, salt=OFFER_SALT)


def offer_id_from_token(token: str) -> int:
    data = read_signed(
        token,
        salt=OFFER_SALT,
        max_age=timedelta(hours=settings.WAITLIST_OFFER_HOURS),
        expired=OfferExpired(
            _("Cette proposition a expiré. Votre conseiller·ère peut vous en proposer une autre.")
        ),
    )
    return signed_id(data, "o")
