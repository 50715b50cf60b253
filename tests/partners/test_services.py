from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.enums import Role
from core.errors import ApplicationError, InvalidTransition, NotFoundError
from core.models import AuditLog
from partners import availability, services
from partners.enums import PartnerStatus
from partners.models import AvailabilityRule, Closure, Slot
from partners.selectors import partner_list_for, publication_gaps
from tests.factories import OrganisationFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, RuleFactory, ServiceFactory


@pytest.fixture
def partner(partner_org, platform):
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    return partner


@pytest.fixture
def service(partner):
    return ServiceFactory(partner=partner, published=False)


RULE = {
    "weekdays": [0, 1, 2, 3, 4],
    "start_time": time(9),
    "end_time": time(12),
    "slot_minutes": 60,
    "capacity": 2,
}


@pytest.mark.django_db
def test_rule_creation_materialises_slots_after_commit(
    partner_manager, service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rule = availability.rule_create(actor=partner_manager, service_id=service.pk, **RULE)
        assert not Slot.objects.exists()  # nothing before commit
    assert rule.valid_from == timezone.localdate()
    assert Slot.objects.filter(service=service).count() > 0
    assert AuditLog.objects.filter(action="rule.created").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_time": time(8)}, "end_time"),
        ({"end_time": time(9)}, "end_time"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"valid_from": date(2027, 1, 10), "valid_until": date(2027, 1, 1)}, "valid_until"),
        ({"capacity": 0}, "capacity"),
        ({"slot_minutes": 5}, "slot_minutes"),
    ],
)
def test_invalid_rules_are_refused(partner_manager, service, change, field):
    with pytest.raises(ValidationError) as error:
        availability.rule_create(actor=partner_manager, service_id=service.pk, **{**RULE, **change})
    assert field in error.value.message_dict
    assert not AvailabilityRule.objects.exists()


@pytest.mark.django_db
def test_overlapping_rules_are_refused_but_neighbours_are_fine(partner_manager, service):
    availability.rule_create(actor=partner_manager, service_id=service.pk, **RULE)
    with pytest.raises(ValidationError, match="chevauchent"):
        availability.rule_create(
            actor=partner_manager, service_id=service.pk,
            **{**RULE, "weekdays": [4, 5], "start_time": time(11), "end_time": time(13)},
        )  # fmt: skip
    # Same hours on other days, or adjacent hours, or other dates: no overlap.
    availability.rule_create(
        actor=partner_manager, service_id=service.pk, **{**RULE, "weekdays": [5]}
    )
    availability.rule_create(
        actor=partner_manager, service_id=service.pk,
        **{**RULE, "start_time": time(12), "end_time": time(14)},
    )  # fmt: skip
    assert AvailabilityRule.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prices", "field"),
    [
        ({"market_price": Decimal("-1")}, "market_price"),
        ({"solidarity_price": Decimal("-1")}, "solidarity_price"),
        ({"deposit": Decimal("-10")}, "deposit"),
        ({"solidarity_price": Decimal("70")}, "solidarity_price"),
    ],
)
def test_invalid_prices_are_refused(partner_manager, partner, prices, field):
    fields = {"name": "Pneus", "unit": "hour", "market_price": Decimal("65"),
              "solidarity_price": Decimal("35")}  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.service_create(
            actor=partner_manager, partner_id=partner.pk, **{**fields, **prices}
        )
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_publication_says_what_is_missing(partner_manager, service):
    organisation = service.partner.organisation
    organisation.address = ""
    organisation.latitude = None
    organisation.save()
    service.market_price = service.solidarity_price = Decimal("0")
    service.save()
    gaps = publication_gaps(service=service)
    assert len(gaps) == 4
    with pytest.raises(ApplicationError) as error:
        services.service_publish(actor=partner_manager, service_id=service.pk)
    assert "le prix du marché" in error.value.message
    assert "au moins une règle" in error.value.message
    service.refresh_from_db()
    assert service.published is False


@pytest.mark.django_db
def test_an_expired_rule_does_not_count_for_publication(partner_manager, service):
    RuleFactory(service=service, valid_from=date(2020, 1, 1), valid_until=date(2020, 6, 1))
    assert "au moins une règle de disponibilité en cours ou à venir" in publication_gaps(
        service=service
    )


@pytest.mark.django_db
def test_another_partners_manager_cannot_touch_anything(partner, service):
    other_manager = member(Role.PARTNER_MANAGER, OrganisationFactory(partner=True))
    rule = RuleFactory(service=service)
    calls = [
        lambda: services.service_update(actor=other_manager, service_id=service.pk, name="x"),
        lambda: services.service_publish(actor=other_manager, service_id=service.pk),
        lambda: availability.rule_create(actor=other_manager, service_id=service.pk, **RULE),
        lambda: availability.rule_delete(actor=other_manager, rule_id=rule.pk),
        lambda: services.partner_update_profile(
            actor=other_manager, partner_id=partner.pk, description="x"
        ),
        lambda: availability.closure_create(
            actor=other_manager,
            partner_id=partner.pk,
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(days=1),
            reason="holidays",
        ),  # fmt: skip
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()
    assert AvailabilityRule.objects.count() == 1


@pytest.mark.django_db
def test_platform_admin_manages_agreed_partners(admin_user, partner, service):
    services.service_update(
        actor=admin_user, service_id=service.pk, name="Renommé par la plateforme"
    )
    service.refresh_from_db()
    assert service.name == "Renommé par la plateforme"


@pytest.mark.django_db
def test_closure_validation_and_partner_wide_regeneration(
    partner_manager, partner, service, django_capture_on_commit_callbacks
):
    other = ServiceFactory(partner=partner)
    paris = ZoneInfo("Europe/Paris")
    tomorrow = timezone.localdate() + timedelta(days=1)
    for s in (service, other):
        RuleFactory(service=s, weekdays=list(range(7)), valid_from=date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        availability.rule_create(
            actor=partner_manager, service_id=service.pk,
            **{**RULE, "weekdays": [0], "start_time": time(14), "end_time": time(15)},
        )  # fmt: skip
    with pytest.raises(ValidationError):
        availability.closure_create(
            actor=partner_manager, partner_id=partner.pk, reason="holidays",
            starts_at=datetime.combine(tomorrow, time(0), tzinfo=paris),
            ends_at=datetime.combine(tomorrow, time(0), tzinfo=paris),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        availability.closure_create(
            actor=partner_manager, partner_id=partner.pk, reason="holidays",
            starts_at=datetime.combine(tomorrow, time(0), tzinfo=paris),
            ends_at=datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=paris),
        )  # fmt: skip
    for s in (service, other):
        days = {timezone.localdate(d) for d in s.slots.values_list("starts_at", flat=True)}
        assert tomorrow not in days
        assert tomorrow + timedelta(days=1) in days
    assert Closure.objects.count() == 1


@pytest.mark.django_db
def test_time_zone_change_moves_future_slots(
    partner_manager, partner, service, django_capture_on_commit_callbacks
):
    RuleFactory(service=service, weekdays=list(range(7)), start_time=time(9), end_time=time(10),
                valid_from=date(2020, 1, 1))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_update_profile(
            actor=partner_manager, partner_id=partner.pk, timezone="Indian/Reunion"
        )
    reunion = ZoneInfo("Indian/Reunion")
    hours = {s.astimezone(reunion).hour for s in service.slots.values_list("starts_at", flat=True)}
    assert hours == {9}
    with pytest.raises(ValidationError):
        services.partner_update_profile(
            actor=partner_manager, partner_id=partner.pk, timezone="Mars/Olympus"
        )


@pytest.mark.django_db
def test_partner_status_lifecycle(partner_manager, admin_user, adviser, partner):
    with pytest.raises(InvalidTransition):
        services.partner_publish(actor=partner_manager, partner_id=partner.pk)  # already published
    with pytest.raises(NotFoundError):
        services.partner_suspend(
            actor=partner_manager, partner_id=partner.pk
        )  # not the partner's call
    services.partner_suspend(actor=admin_user, partner_id=partner.pk)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.SUSPENDED
    assert partner not in partner_list_for(user=adviser)
    services.partner_reinstate(actor=admin_user, partner_id=partner.pk)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.PUBLISHED
    assert partner in partner_list_for(user=adviser)


@pytest.mark.django_db
def test_agreements_decide_visibility(admin_user, adviser, platform, other_platform):
    partner = PartnerFactory()
    assert partner not in partner_list_for(user=adviser)
    services.agreement_set(actor=admin_user, partner=partner, platform=platform,
                           since=date(2024, 1, 1))  # fmt: skip
    assert partner in partner_list_for(user=adviser)
    with pytest.raises(NotFoundError):
        services.agreement_set(actor=admin_user, partner=partner, platform=other_platform,
                               since=date(2024, 1, 1))  # fmt: skip
    services.agreement_set(actor=admin_user, partner=partner, platform=platform,
                           since=date(2024, 1, 1), active=False)  # fmt: skip
    assert partner not in partner_list_for(user=adviser)


@pytest.mark.django_db
def test_unknown_ids_are_not_found(partner_manager):
    for call in (
        lambda: services.service_update(actor=partner_manager, service_id=999999, name="x"),
        lambda: services.service_publish(actor=partner_manager, service_id=999999),
        lambda: services.service_delete(actor=partner_manager, service_id=999999),
        lambda: availability.rule_delete(actor=partner_manager, rule_id=999999),
        lambda: availability.closure_delete(actor=partner_manager, closure_id=999999),
        lambda: services.partner_publish(actor=partner_manager, partner_id=999999),
        lambda: services.service_create(actor=partner_manager, partner_id=999999, name="x"),
    ):
        with pytest.raises(NotFoundError):
            call()


@pytest.mark.django_db
def test_an_ended_agreement_no_longer_lets_the_platform_manage_the_partner(admin_user, platform):
    partner = PartnerFactory()  # onboarded elsewhere
    service = ServiceFactory(partner=partner)
    AgreementFactory(partner=partner, platform=platform, until=date(2021, 1, 1))
    with pytest.raises(NotFoundError):
        services.service_update(actor=admin_user, service_id=service.pk, name="x")


@pytest.mark.django_db
def test_platform_admins_see_drafts_of_partners_they_manage(admin_user, adviser, partner):
    from partners.selectors import service_list_for

    draft = ServiceFactory(partner=partner, published=False)
    assert draft in service_list_for(user=admin_user)
    assert draft not in service_list_for(user=adviser)


@pytest.mark.django_db
def test_a_rule_shorter_than_one_slot_is_refused(partner_manager, service):
    with pytest.raises(ValidationError) as error:
        availability.rule_create(
            actor=partner_manager, service_id=service.pk,
            **{**RULE, "start_time": time(9), "end_time": time(9, 30), "slot_minutes": 60},
        )  # fmt: skip
    assert "plus courte qu'un créneau" in str(error.value.message_dict["slot_minutes"])


@pytest.mark.django_db
def test_negative_deposit_message(partner_manager, partner):
    with pytest.raises(ValidationError) as error:
        services.service_create(
            actor=partner_manager, partner_id=partner.pk, name="x", unit="hour",
            market_price=Decimal("10"), solidarity_price=Decimal("5"), deposit=Decimal("-1"),
        )  # fmt: skip
    assert error.value.message_dict["deposit"] == ["La caution ne peut pas être négative."]
