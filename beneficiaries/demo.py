from datetime import date

from accounts.demo import DemoContext
from beneficiaries.enums import BeneficiaryStatus, Situation
from beneficiaries.models import Beneficiary


def seed_beneficiaries(ctx: DemoContext) -> None:
    """The demo beneficiary's record, linked to their account (fictional person)."""
    user = ctx.users["beneficiary@demo.test"]
    Beneficiary.objects.update_or_create(
        user=user,
        defaults={
            "platform": ctx.platform,
            "adviser": ctx.users["adviser@demo.test"],
            "first_name": user.first_name,
            "last_name": user.last_name,
            "birth_date": date(1998, 4, 12),
            "email": user.email,
            "phone": "+33600000001",
            "commune": "Montluçon",
            "postcode": "03100",
            "situation": Situation.RSA,
            "status": BeneficiaryStatus.REINFORCED,
        },
    )
