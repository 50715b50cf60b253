"""A partner's bank details: checked by schwifty, audited, told to the finance officers of
the platforms it works with; a new IBAN waits for approval, a corrected BIC alone does not."""

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditLog, Notification
from partners.services_bank import partner_bank_details_approve, partner_bank_details_set
from tests.factories import member
from tests.partners.factories import AgreementFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def garage(platform, partner_org):
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    return partner


def test_a_change_is_audited_told_and_waits_for_approval(garage, platform, finance_officer):
    manager = member("partner_manager", garage.organisation)
    partner = partner_bank_details_set(
        actor=manager, partner_id=garage.pk, iban="fr76 3000 6000 0112 3456 7890 189", bic=""
    )
    assert (partner.iban, partner.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    assert not partner.bank_details_approved
    told = Notification.objects.get(template="partners/bank_details_changed")
    assert told.recipient == finance_officer.email and "FR76 •••• •••• 0189" in told.body
    assert "0112 3456" not in told.body  # the message never carries the whole account
    log = AuditLog.objects.get(action="partner.bank_details_changed")
    assert log.data["needs_approval"] is True
    partner = partner_bank_details_approve(actor=finance_officer, partner_id=garage.pk)
    assert partner.bank_details_approved
    partner = partner_bank_details_set(
        actor=manager, partner_id=garage.pk, iban="FR7630006000011234567890189", bic="AGRIFRPPXXX"
    )
    assert partner.bank_details_approved  # the same account, its BIC written in full
    partner = partner_bank_details_set(
        actor=manager, partner_id=garage.pk, iban="FR1420041010050500013M02606", bic=""
    )
    assert not partner.bank_details_approved


@pytest.mark.parametrize("iban, message", [
    ("FR7630006000011234567890188", "clé de contrôle"),
    ("XX12", "forme d'un IBAN"),
])  # fmt: skip
def test_a_wrong_iban_is_refused_in_french(garage, iban, message):
    manager = member("partner_manager", garage.organisation)
    with pytest.raises(ValidationError) as refused:
        partner_bank_details_set(actor=manager, partner_id=garage.pk, iban=iban)
    assert message in str(refused.value.message_dict["iban"])


def test_staff_and_other_platforms_cannot_touch_the_account(garage, other_platform):
    from core.errors import NotFoundError

    staff = member("partner_staff", garage.organisation)
    with pytest.raises(NotFoundError):
        partner_bank_details_set(
            actor=staff, partner_id=garage.pk, iban="FR7630006000011234567890189"
        )
    manager = member("partner_manager", garage.organisation)
    partner_bank_details_set(
        actor=manager, partner_id=garage.pk, iban="FR7630006000011234567890189"
    )
    with pytest.raises(NotFoundError):
        partner_bank_details_approve(
            actor=member("finance_officer", other_platform), partner_id=garage.pk
        )
