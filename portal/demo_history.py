"""A year of demo history (fictional), so that every indicator and chart of the demo shows
something real: people referred month after month, diagnoses, follow-ups (some late), exits
of every kind (one unknown), past bookings in every status with their financing plans.
Loans and their repayments come from `financing.demo`.

Idempotent and quick: written once (bulk inserts), recognised by its people's last names;
dates are set relative to today, so the history always covers the last twelve months. The
bookings of the history hold no slot (they are over), so capacity stays consistent."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from beneficiaries.enums import DiagnosisDecision, OutcomeCode, ReferralStatus
from beneficiaries.models import Beneficiary, Diagnosis, FollowUp, Outcome, Referral
from bookings.enums import BookingStatus
from bookings.models import Booking
from financing.enums import LineKind
from financing.models import FinancingLine, FinancingPlan
from partners.models import Service

FIRST = ["Alice", "Bruno", "Céline", "Dylan", "Elsa", "Farid", "Gaëlle", "Hugo", "Imane",
         "Jordan", "Kelly", "Loïc", "Maëlys", "Nicolas", "Océane", "Pierre", "Rania", "Steven",
         "Tiphaine", "Wassim"]  # fmt: skip
LAST = ["Archambault", "Bonnefoy", "Chassagne", "Dumontet", "Escoffier", "Ferrandon"]
PEOPLE = 48
PRESCRIBERS = ["france_travail", "mission_locale", "ccas_vichy"]
EXITS = [OutcomeCode.DURABLE_EMPLOYMENT, OutcomeCode.TRAINING, OutcomeCode.TRANSITION_EMPLOYMENT,
         OutcomeCode.NONE, OutcomeCode.POSITIVE_OTHER, OutcomeCode.UNKNOWN,
         OutcomeCode.DURABLE_EMPLOYMENT]  # fmt: skip
STATUSES = [BookingStatus.COMPLETED, BookingStatus.COMPLETED, BookingStatus.COMPLETED,
            BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW,
            BookingStatus.DECLINED, BookingStatus.EXPIRED]  # fmt: skip
REFUSALS = [("not_eligible", "Orientée vers l'accompagnement global de France Travail"),
            ("language_level", "Cours de français langue étrangère (FLE) au centre social"),
            ("no_professional_project", ""), ("duplicate", "")]  # fmt: skip


def _moment(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _people(ctx, adviser, today):
    rows = []
    for n in range(PEOPLE):
        rows.append(Beneficiary(
            platform=ctx.platform, adviser=adviser, first_name=FIRST[n % len(FIRST)],
            last_name=LAST[n % len(LAST)], commune="Moulins", postcode="03000",
            situation=["rsa", "jobseeker", "youth_mission_locale", "siae_employee"][n % 4],
            project_defined=True, french_level="B1", status="referred",
            last_contact_at=_moment(today),
        ))  # fmt: skip
    people = Beneficiary.objects.bulk_create(rows)
    for n, person in enumerate(people):  # one month after another, over the last year
        arrived = today - timedelta(days=360 - n * 7)
        Beneficiary.objects.filter(pk=person.pk).update(created_at=_moment(arrived))
        person.arrived = arrived
    return people


def _journeys(ctx, people, adviser, prescribers, today):
    referrals, diagnoses, follow_ups, outcomes, statuses = [], [], [], [], {}
    for n, person in enumerate(people):
        arrived = person.arrived
        referrals.append(Referral(
            platform=ctx.platform, prescriber_organisation=prescribers[n % len(prescribers)],
            beneficiary=person, first_name=person.first_name, last_name=person.last_name,
            situation=person.situation, need="Aller travailler sans voiture",
            status=ReferralStatus.ACCEPTED, answered_at=_moment(arrived),
        ))  # fmt: skip
        held = arrived + timedelta(days=7 + n % 10)
        if held >= today:
            continue
        reinforced = n % 4 != 0
        decision = DiagnosisDecision.REINFORCED if reinforced else DiagnosisDecision.LIGHT_ADVICE
        diagnoses.append(Diagnosis(beneficiary=person, author=adviser, held_on=held,
                                   summary="Diagnostic (démo)", decision=decision))  # fmt: skip
        exit_on = held + timedelta(days=120 + 15 * (n % 5)) if n % 3 == 0 else None
        if exit_on and exit_on < today:
            outcomes.append(Outcome(beneficiary=person, code=EXITS[n % len(EXITS)],
                                    exited_on=exit_on, recorded_by=adviser))  # fmt: skip
            statuses[person.pk] = "closed"
        else:
            exit_on = None
            statuses[person.pk] = decision
        if reinforced:
            gap = 30 if n % 5 else 75  # one in five is seen too rarely
            day = held + timedelta(days=gap)
            while day < min(exit_on or today, today):
                follow_ups.append(FollowUp(beneficiary=person, author=adviser, held_on=day,
                                           channel="in_person", notes=""))  # fmt: skip
                day += timedelta(days=gap)
    Referral.objects.bulk_create(referrals)
    for referral, person in zip(Referral.objects.filter(beneficiary__in=people).order_by("pk"),
                                people, strict=False):  # fmt: skip
        arrived = _moment(person.arrived) - timedelta(days=1 + person.pk % 5)
        Referral.objects.filter(pk=referral.pk).update(created_at=arrived)
    Diagnosis.objects.bulk_create(diagnoses)
    FollowUp.objects.bulk_create(follow_ups)
    Outcome.objects.bulk_create(outcomes)
    for status in set(statuses.values()):
        Beneficiary.objects.filter(pk__in=[pk for pk, s in statuses.items() if s == status]).update(
            status=status
        )


def _refused(ctx, prescribers, today):
    rows = []
    for n in range(10):
        reason, reorientation = REFUSALS[n % len(REFUSALS)]
        rows.append(Referral(
            platform=ctx.platform, prescriber_organisation=prescribers[n % len(prescribers)],
            first_name=FIRST[(n + 3) % len(FIRST)], last_name="Vernet", situation="other",
            need="Trouver un moyen de transport", status=ReferralStatus.REFUSED,
            refusal_reason=reason, reorientation=reorientation,
            answered_at=_moment(today - timedelta(days=330 - 30 * n)),
        ))  # fmt: skip
    for referral in Referral.objects.bulk_create(rows):
        Referral.objects.filter(pk=referral.pk).update(
            created_at=referral.answered_at - timedelta(days=3)
        )


def _bookings(ctx, people, adviser, partners, today):
    services = list(Service.objects.filter(partner__in=partners.values()).order_by("pk"))
    rows, made = [], []
    for n, person in enumerate(people):
        for k in range(1 + n % 3):
            starts = _moment(person.arrived + timedelta(days=20 + 25 * k), 9)
            if starts.date() >= today:
                break
            service = services[(n + k) % len(services)]
            status = STATUSES[(n + k) % len(STATUSES)]
            units = Decimal(25 if service.unit == "km" else 1)
            total = service.solidarity_price * units
            rows.append(Booking(
                platform=ctx.platform, beneficiary=person, service=service, booked_by=adviser,
                units=units, unit_price=service.solidarity_price,
                market_unit_price=service.market_price, total_price=total,
                market_total=service.market_price * units, status=status, starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                confirmed_at=starts - timedelta(days=5)
                if status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW,
                              BookingStatus.CANCELLED) else None,
                declined_at=starts - timedelta(days=6) if status == BookingStatus.DECLINED
                else None,
                completed_at=starts + timedelta(hours=1) if status == BookingStatus.COMPLETED
                else None,
                cancelled_at=starts - timedelta(days=1) if status == BookingStatus.CANCELLED
                else None,
            ))  # fmt: skip
    made = Booking.objects.bulk_create(rows)
    for booking in made:  # asked 6 to 14 days ahead, answered within a day or two
        created = booking.starts_at - timedelta(days=6 + booking.pk % 9)
        answered = created + timedelta(hours=4 + 7 * (booking.pk % 6))
        Booking.objects.filter(pk=booking.pk).update(
            created_at=created,
            confirmed_at=answered if booking.confirmed_at else None,
            declined_at=answered if booking.declined_at else None,
        )
    plans = FinancingPlan.objects.bulk_create(
        [FinancingPlan(booking=b, updated_by=adviser) for b in made
         if b.status == BookingStatus.COMPLETED]
    )  # fmt: skip
    lines = []
    for plan in plans:
        total = plan.booking.total_price
        own = (total * Decimal("0.20")).quantize(Decimal("0.01"))
        lines += [FinancingLine(plan=plan, kind=LineKind.BENEFICIARY, amount=own),
                  FinancingLine(plan=plan, kind=LineKind.PLATFORM, amount=total - own)]  # fmt: skip
    FinancingLine.objects.bulk_create(lines)


def seed_history(ctx, partners) -> None:
    platform = ctx.platform
    if Beneficiary.objects.filter(platform=platform, last_name__in=LAST).exists():
        return
    today = timezone.localdate()
    adviser = ctx.users["adviser@demo.test"]
    prescribers = [ctx.organisations[key] for key in PRESCRIBERS]
    people = _people(ctx, adviser, today)
    _journeys(ctx, people, adviser, prescribers, today)
    _refused(ctx, prescribers, today)
    _bookings(ctx, people, adviser, partners, today)
