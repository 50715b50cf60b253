"""A small world where every URL of the project has a real object to show: one platform with
its admin, adviser and finance officer; a partner (manager, staff) with a published service,
a rule, a closure and an agreement; a prescriber who referred a person; that person, with a
user account, an eligibility check, a diagnosis with a barrier, an action, a follow-up, a
consent, a booking with a financing plan (a grant and their share) and a disbursed loan with
a repayment; an invitation. `url_kwargs` fills every URL parameter with these objects' ids;
`link_kwargs` gives the signed links their real tokens."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlparse

from django.urls import resolve
from django.utils import timezone

from accounts.enums import Role
from accounts.services import invitation_create
from beneficiaries import journey
from beneficiaries.enums import ConsentPurpose, ReferralStatus
from beneficiaries.services import eligibility_check, referral_status_url
from bookings.feeds import beneficiary_feed_url, partner_feed_url
from bookings.links import my_bookings_url, partner_answer_url
from bookings.services import booking_create
from exchange.models import WebhookDelivery, WebhookSubscription
from exchange.services import new_secret
from financing import loans
from financing.models import GrantAward
from financing.plans import plan_set
from financing.services import programme_create
from partners.models import Closure
from payments.enums import PaymentPurpose, PaymentStatus
from payments.models import Payment, SepaMandate
from payments.services_sepa import mandate_url
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.bookings.conftest import make_slot
from tests.factories import OrganisationFactory, UserFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, RuleFactory, ServiceFactory

DIAGNOSIS_SUMMARY = "Peur de conduire la nuit depuis un accident"
FOLLOW_UP_NOTES = "Dettes auprès du bailleur, en parle difficilement"
PROGRAMME_NAME = "Département — aide à la réparation (RSA)"


@dataclass
class World:
    platform: object
    users: dict  # viewer → user
    person: object
    partner: object
    service: object
    booking: object
    programme: object
    award: object
    loan: object
    entry: object
    referral: object
    consent: object
    barrier: object
    item: object
    rule: object
    closure: object
    invitation: object
    staff_membership: object
    subscription: object = None
    delivery: object = None
    waiting: object = None  # a waiting-list entry of the person, with a place offered
    settlement: object = None  # an issued statement of the partner (last month's booking)
    payment: object = None
    mandate: object = None
    agenda: dict | None = None  # issue 16: place, rule, appointment, session


def _token(url: str) -> str:
    return resolve(urlparse(url).path).kwargs["token"]


def _waiting_with_offer(adviser, person, service):
    from bookings.services_waitlist import waitlist_entry_add, waitlist_offer_places

    make_slot(service, 5)
    today = timezone.localdate()
    waiting = waitlist_entry_add(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, wanted_from=today,
        wanted_until=today + timedelta(days=10),
    )  # fmt: skip
    waitlist_offer_places(service_id=service.pk)
    return waiting


def _issued_statement(platform, partner, service, person, adviser, finance):
    """A booking completed last month, on an issued statement (approved bank details)."""
    from bookings.models import Booking
    from settlements.building import month_period, previous_month
    from settlements.services import settlement_build, settlement_issue

    start, end = month_period(*previous_month(timezone.localdate()))
    done = timezone.make_aware(datetime.combine(start, time(10))) + timedelta(days=2)
    Booking.objects.create(
        platform=platform, beneficiary=person, service=service, booked_by=adviser,
        units=Decimal(1), unit_price=service.solidarity_price,
        market_unit_price=service.market_price, total_price=service.solidarity_price,
        market_total=service.market_price, status="completed", starts_at=done,
        ends_at=done + timedelta(hours=1), completed_at=done + timedelta(hours=1),
    )  # fmt: skip
    type(partner).objects.filter(pk=partner.pk).update(
        iban="FR7630006000011234567890189", bic="AGRIFRPP", bank_details_approved_at=timezone.now()
    )
    draft = settlement_build(actor=finance, platform_id=platform.pk, partner_id=partner.pk,
                             period_start=start, period_end=end)  # fmt: skip
    return settlement_issue(actor=finance, settlement_id=draft.pk)


def build_world() -> World:
    platform = OrganisationFactory(name="Plateforme Mobilité Allier")
    partner_org = OrganisationFactory(partner=True, name="Garage A", platform=platform)
    prescriber_org = OrganisationFactory(prescriber=True, name="Mission Locale", platform=platform)
    funder = OrganisationFactory(funder=True, name="Département de l'Allier")
    users = {
        Role.ADMIN: member(Role.ADMIN, platform),
        Role.ADVISER: member(Role.ADVISER, platform),
        Role.FINANCE_OFFICER: member(Role.FINANCE_OFFICER, platform),
        Role.PARTNER_MANAGER: member(Role.PARTNER_MANAGER, partner_org),
        Role.PARTNER_STAFF: member(Role.PARTNER_STAFF, partner_org),
        Role.PRESCRIBER: member(Role.PRESCRIBER, prescriber_org),
        Role.FUNDER: member(Role.FUNDER, funder),
    }
    adviser, finance = users[Role.ADVISER], users[Role.FINANCE_OFFICER]
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, name="Main-d'œuvre", min_notice_hours=0)
    rule = RuleFactory(service=service)
    now = timezone.now()
    closure = Closure.objects.create(
        partner=partner, starts_at=now + timedelta(days=40), ends_at=now + timedelta(days=41)
    )
    person_user = UserFactory()
    users["beneficiary"] = person_user
    person = BeneficiaryFactory(
        platform=platform, adviser=adviser, user=person_user, phone="+33600000001",
        first_name="Léa", last_name="Martin",
    )  # fmt: skip
    referral = ReferralFactory(
        prescriber_organisation=prescriber_org, prescriber=users[Role.PRESCRIBER],
        beneficiary=person, status=ReferralStatus.ACCEPTED,
    )  # fmt: skip
    today = timezone.localdate()
    consent = journey.consent_give(
        actor=adviser, beneficiary_id=person.pk, purpose=ConsentPurpose.SHARE_WITH_PRESCRIBER,
        prescriber_organisation_id=prescriber_org.pk,
    )  # fmt: skip
    eligibility_check(actor=adviser, beneficiary_id=person.pk)
    diagnosis = journey.diagnosis_record(
        actor=adviser, beneficiary_id=person.pk, held_on=today, duration_minutes=60,
        summary=DIAGNOSIS_SUMMARY, decision="reinforced",
        barriers=[{"category": "psychological", "code": "peur-nuit"}],
    )  # fmt: skip
    barrier = diagnosis.barriers.get()
    item = journey.action_item_add(actor=adviser, beneficiary_id=person.pk, action="Code")
    journey.follow_up_record(
        actor=adviser, beneficiary_id=person.pk, held_on=today, channel="phone",
        notes=FOLLOW_UP_NOTES,
    )  # fmt: skip
    slot = make_slot(service, 3)
    booking = booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slot.pk]
    )
    programme = programme_create(
        actor=finance, platform_id=platform.pk, funder_id=funder.pk, name=PROGRAMME_NAME,
        budget=Decimal("1000.00"), starts_on=today - timedelta(days=30),
        eligible_categories=["garage"], eligible_situations=["rsa"],
    )  # fmt: skip
    plan_set(actor=adviser, booking_id=booking.pk, lines=[
        {"kind": "grant", "amount": "28.00", "programme": programme.pk},
        {"kind": "beneficiary", "amount": "7.00"},
    ])  # fmt: skip
    loan = loans.loan_create(
        actor=finance, beneficiary_id=person.pk, lender_id=funder.pk, kind="micro_credit",
        principal=Decimal("600.00"), annual_rate=Decimal("0"), term_months=6,
        method="declining_balance", first_due_on=today + timedelta(days=10),
    )  # fmt: skip
    for status in ("approved", "disbursed"):
        loan = loans.loan_transition(actor=finance, loan_id=loan.pk, to=status)
    entry, _allocation = loans.entry_record(
        actor=finance, loan_id=loan.pk, kind="repayment", amount=Decimal("50.00"),
        value_date=today, method="transfer",
    )  # fmt: skip
    invitation = invitation_create(
        actor=users[Role.PARTNER_MANAGER], organisation=partner_org,
        email="nouvelle@exemple.test", role=Role.PARTNER_STAFF,
    )  # fmt: skip
    # A partner's webhook (its manager and the platform's admin manage it) and one delivery.
    subscription = WebhookSubscription.objects.create(
        organisation=partner_org, url="https://hooks.garage.example/solimob",
        events=["booking.confirmed"], secret=new_secret(),
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type="booking.confirmed", status="failed",
        payload={"type": "booking.confirmed", "data": {"booking": {"id": booking.pk}}},
        webhook_id="msg_world",
    )  # fmt: skip
    waiting = _waiting_with_offer(adviser, person, service)
    settlement = _issued_statement(platform, partner, service, person, adviser, finance)
    payment = Payment.objects.create(
        platform=platform, beneficiary=person, booking=booking, amount="7.00",
        purpose=PaymentPurpose.BENEFICIARY_SHARE, status=PaymentStatus.SUCCEEDED,
    )  # fmt: skip
    mandate = SepaMandate.objects.create(loan=loan, requested_by=finance)
    agenda = build_agenda(platform, adviser, person)
    return World(
        subscription=subscription, delivery=delivery, waiting=waiting, settlement=settlement,
        payment=payment, mandate=mandate, agenda=agenda,
        platform=platform, users=users, person=person, partner=partner, service=service,
        booking=booking, programme=programme, award=GrantAward.objects.get(), loan=loan,
        entry=entry, referral=referral, consent=consent, barrier=barrier, item=item, rule=rule,
        closure=closure, invitation=invitation,
        staff_membership=users[Role.PARTNER_STAFF].memberships.get(),
    )  # fmt: skip


def url_kwargs(world: World) -> dict:
    """A value for every URL parameter of the project."""
    return {
        "organisation_id": world.partner.organisation_id,
        "invitation_id": world.invitation.pk,
        "membership_id": world.staff_membership.pk,
        "partner_id": world.partner.pk,
        "closure_id": world.closure.pk,
        "service_id": world.service.pk,
        "rule_id": world.rule.pk,
        "referral_id": world.referral.pk,
        "beneficiary_id": world.person.pk,
        "barrier_id": world.barrier.pk,
        "item_id": world.item.pk,
        "consent_id": world.consent.pk,
        "booking_id": world.booking.pk,
        "programme_id": world.programme.pk,
        "award_id": world.award.pk,
        "loan_id": world.loan.pk,
        "entry_id": world.entry.pk,
        "waiting_id": world.waiting.pk,
        "structure_id": world.referral.prescriber_organisation_id,
        "transaction_id": world.entry.pk,
        "subscription_id": world.subscription.pk,
        "delivery_id": world.delivery.pk,
        "what": "prets",
        "fmt": "csv",
        "chart": "reservations_mois",
        "table": "reservations_mois",
        "settlement_id": world.settlement.pk,
        "payment_id": world.payment.pk,
        # agenda (issue 16)
        "place_id": world.agenda["place"].pk,
        "agenda_rule_id": world.agenda["rule"].pk,
        "appointment_id": world.agenda["appointment"].pk,
        "session_id": world.agenda["session"].pk,
        "appointment_kind_id": world.agenda["kind"].pk,
        "agenda_closure_id": world.agenda["closure"].pk,
    }


def link_kwargs(world: World) -> dict[str, dict]:
    """URL name → the parameters of a real signed link."""
    from bookings.links_waitlist import offer_url

    mine = _token(my_bookings_url(world.person))
    return {
        "referral_status_link": {"token": _token(referral_status_url(world.referral))},
        "booking_partner_link": {"token": _token(partner_answer_url(world.booking, "confirm"))},
        "my_bookings_link": {"token": mine},
        "my_booking_voucher_link": {"token": mine, "booking_id": world.booking.pk},
        "my_booking_calendar_link": {"token": mine, "booking_id": world.booking.pk},
        "partner_calendar_feed": {"token": _token(partner_feed_url(world.partner))},
        "beneficiary_calendar_feed": {"token": _token(beneficiary_feed_url(world.person))},
        "waitlist_offer_link": {"token": _token(offer_url(world.waiting.offers.get()))},
        "mandate_sign": {"token": _token(mandate_url(world.mandate))},
        "mandate_signed": {"token": _token(mandate_url(world.mandate))},
        # agenda (issue 16)
        **agenda_links(world),
    }


# --- agenda (issue 16) ----------------------------------------------------------------------


def build_agenda(platform, adviser, person) -> dict:
    """A place with a diagnostic rule, the person's appointment, a collective session."""
    from datetime import date, time

    from agenda.enums import KindCategory
    from agenda.generation import agenda_regenerate
    from agenda.models import AgendaClosure, AgendaRule, AgendaSlot, Place
    from agenda.services import kinds_ensure, session_create
    from agenda.services_appointments import appointment_book
    from core.models import Commune

    town, _created = Commune.objects.get_or_create(
        insee_code="03185", defaults={"name": "Montluçon", "search_name": "montlucon",
                                      "department": "03", "latitude": "46.3408",
                                      "longitude": "2.6036"},
    )  # fmt: skip
    kinds = {k.category: k for k in kinds_ensure(platform_id=platform.pk)}
    place = Place.objects.create(
        platform=platform, name="CMS de Montluçon", kind="cms", commune=town,
        latitude=town.latitude, longitude=town.longitude,
    )  # fmt: skip
    rule = AgendaRule.objects.create(
        adviser=adviser, place=place, kind=kinds[KindCategory.DIAGNOSTIC],
        weekdays=[0, 1, 2, 3, 4, 5, 6], start_time=time(9), end_time=time(12),
        valid_from=date(2020, 1, 1),
    )  # fmt: skip
    agenda_regenerate([adviser.pk], days=5)
    slot = AgendaSlot.objects.filter(adviser=adviser, session=False).order_by("starts_at")[2]
    appointment = appointment_book(actor=adviser, slot_id=slot.pk, beneficiary_id=person.pk)
    session = session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.COLLECTIVE].pk,
        place_id=place.pk, adviser_id=adviser.pk, starts_at=slot.starts_at + timedelta(days=3),
        theme="Le budget d'une voiture", seats=5,
    )  # fmt: skip
    far = slot.starts_at + timedelta(days=400)  # a closure that changes nothing generated
    closure = AgendaClosure.objects.create(
        platform=platform, adviser=adviser, starts_at=far, ends_at=far + timedelta(days=1)
    )
    return {"place": place, "rule": rule, "appointment": appointment, "session": session,
            "kind": kinds[KindCategory.FOLLOW_UP], "closure": closure}  # fmt: skip


def agenda_links(world: World) -> dict[str, dict]:
    from agenda.links import adviser_feed_url, appointment_url

    token = _token(appointment_url(world.agenda["appointment"]))
    return {
        "agenda_link": {"token": token},
        "agenda_link_cancel": {"token": token},
        "agenda_link_move": {"token": token},
        "agenda_adviser_feed": {"token": _token(adviser_feed_url(world.users[Role.ADVISER]))},
    }
