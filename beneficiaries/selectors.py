from django.db.models import QuerySet

from accounts.scoping import platform_ids
from beneficiaries.models import Beneficiary
from core.errors import NotFoundError


def beneficiary_list_for(*, user) -> QuerySet[Beneficiary]:
    """People followed by the user's platforms (platform staff only)."""
    return Beneficiary.objects.filter(platform_id__in=platform_ids(user))


def beneficiary_get_for(*, user, beneficiary_id: int) -> Beneficiary:
    beneficiary = beneficiary_list_for(user=user).filter(pk=beneficiary_id).first()
    if beneficiary is None:
        raise NotFoundError("Personne introuvable.")
    return beneficiary
