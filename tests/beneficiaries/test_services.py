from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.enums import Role
from beneficiaries import journey, privacy, services
from beneficiaries.duplicates import duplicate_key
from beneficiaries.enums import BeneficiaryStatus, ReferralStatus
from beneficiaries.models import Beneficiary, Consent, Referral
from beneficiaries.selectors import caseload_for, prescriber_follow_up, timeline
from core.errors import ConflictError, InvalidTransition, NotFoundError
from core.models import AuditLog, Notification
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.factories import OrganisationFactory, member

FICHE = {
    "first_name": "Élodie",
    "last_name": "Müller-Durand",
    "birth_date": date(1990, 2, 1),
    "phone": "06 11 22 33 44",
    "situation": "jobseeker",
    "professional_project": "Aide-soignante",
    "french_level": "B1",
    "need": "Pas de voiture pour les horaires de nuit",
    "consent_to_share": True,
}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Müller-Durand", "Élodie"), ("MULLER DURAND", "elodie")),
        (("N'Diaye", "Aïssa"), ("ndiaye", "AISSA")),
        (("de la Fontaine", "Jean-Marc"), ("Delafontaine", "Jean Marc")),
    ],
)
def test_duplicate_key_ignores_accents_case_and_hyphens(a, b):
    born = date(1990, 2, 1)
    assert duplicate_key(*a, born) == duplicate_key(*b, born)
    assert duplicate_key(*a, born) != duplicate_key(*a, date(1990, 2, 2))


@pytest.mark.django_db
def test_submit_notifies_the_platform_advisers(
    prescriber, prescriber_org, adviser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_submit(
            actor=prescriber, prescriber_organisation=prescriber_org, **FICHE
        )
    assert referral.platform_id == prescriber_org.platform_id
    assert referral.consent_at is not None
    assert referral.phone == "+33611223344"
    assert [m.to for m in mail.outbox] == [[adviser.email]]
    assert "Nouvelle orientation de Mission Locale A" in mail.outbox[0].subject
    assert "Müller" not in mail.outbox[0].body  # no identity in the e-mail


@pytest.mark.django_db
def test_only_the_organisations_prescribers_may_submit(prescriber, adviser, platform):
    other = OrganisationFactory(prescriber=True, platform=platform)
    with pytest.raises(NotFoundError):
        services.referral_submit(actor=prescriber, prescriber_organisation=other, **FICHE)
    with pytest.raises(NotFoundError):
        services.referral_submit(actor=adviser, prescriber_organisation=other, **FICHE)


@pytest.mark.django_db
def test_accept_creates_the_person_with_consent(
    prescriber, prescriber_org, adviser, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(
        prescriber_organisation=prescriber_org,
        prescriber=prescriber,
        consent_to_share=True,
        consent_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_accept(actor=adviser, referral_id=referral.pk)
    person = referral.beneficiary
    assert (person.first_name, person.adviser, person.status) == ("Élodie", adviser, "referred")
    assert referral.status == ReferralStatus.ACCEPTED and referral.answered_by == adviser
    consent = Consent.objects.get(beneficiary=person)
    assert consent.prescriber_organisation == prescriber_org
    assert mail.outbox[-1].to == [prescriber.email]
    assert "Acceptée" in mail.outbox[-1].subject
    with pytest.raises(InvalidTransition):
        services.referral_accept(actor=adviser, referral_id=referral.pk)


@pytest.mark.django_db
def test_duplicate_stops_acceptance_until_the_adviser_chooses(prescriber_org, adviser, platform):
    existing = BeneficiaryFactory(
        platform=platform,
        first_name="elodie",
        last_name="MULLER DURAND",
        birth_date=date(1990, 2, 1),
    )
    first = ReferralFactory(prescriber_organisation=prescriber_org)
    with pytest.raises(ConflictError) as error:
        services.referral_accept(actor=adviser, referral_id=first.pk)
    assert error.value.code == "duplicate_beneficiary"
    assert error.value.extra == {"duplicates": [existing.pk]}
    linked = services.referral_accept(
        actor=adviser, referral_id=first.pk, beneficiary_id=existing.pk
    )
    assert linked.beneficiary == existing
    second = ReferralFactory(prescriber_organisation=prescriber_org)
    created = services.referral_accept(actor=adviser, referral_id=second.pk, create_anyway=True)
    assert created.beneficiary != existing
    assert Beneficiary.objects.count() == 2


@pytest.mark.django_db
def test_other_platforms_cannot_answer(prescriber_org):
    stranger = member(Role.ADVISER, OrganisationFactory())
    referral = ReferralFactory(prescriber_organisation=prescriber_org)
    with pytest.raises(NotFoundError):
        services.referral_accept(actor=stranger, referral_id=referral.pk)
    with pytest.raises(NotFoundError):
        services.referral_refuse(actor=stranger, referral_id=referral.pk, reason="other")


@pytest.mark.django_db
def test_refuse_with_reason_and_reorientation(
    prescriber, prescriber_org, adviser, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(prescriber_organisation=prescriber_org, prescriber=prescriber)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_refuse(
            actor=adviser,
            referral_id=referral.pk,
            reason="language_level",
            reorientation="Cours de français (FLE) au centre social",
        )
    referral.refresh_from_db()
    assert (referral.status, referral.refusal_reason) == ("refused", "language_level")
    body = mail.outbox[-1].body
    assert "Niveau de français insuffisant" in body and "Cours de français (FLE)" in body


@pytest.mark.django_db
def test_reminder_at_10_days_and_expiry_at_30_once(
    prescriber, prescriber_org, adviser, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        referral = ReferralFactory(prescriber_organisation=prescriber_org, prescriber=prescriber)
    with time_machine.travel(start + timedelta(days=9), tick=False):
        assert services.referrals_remind_and_expire() == {"reminded": 0, "expired": 0}
    with time_machine.travel(start + timedelta(days=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.referrals_remind_and_expire() == {"reminded": 1, "expired": 0}
            assert services.referrals_remind_and_expire() == {"reminded": 0, "expired": 0}
    assert Notification.objects.filter(template="beneficiaries/referral_reminder").count() == 1
    with time_machine.travel(start + timedelta(days=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.referrals_remind_and_expire() == {"reminded": 0, "expired": 1}
            assert services.referrals_remind_and_expire() == {"reminded": 0, "expired": 0}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    expired = Notification.objects.get(template="beneficiaries/referral_expired")
    assert expired.recipient == prescriber.email


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["accepted", "refused", "withdrawn", "expired"])
def test_each_answer_to_a_referral_is_audited_and_final(
    prescriber, prescriber_org, adviser, answer
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        referral = ReferralFactory(prescriber_organisation=prescriber_org, prescriber=prescriber)
    moves = {
        "accepted": lambda: services.referral_accept(actor=adviser, referral_id=referral.pk),
        "refused": lambda: services.referral_refuse(
            actor=adviser, referral_id=referral.pk, reason="not_eligible"
        ),
        "withdrawn": lambda: services.referral_withdraw(actor=prescriber, referral_id=referral.pk),
        "expired": lambda: services.referrals_remind_and_expire(now=start + timedelta(days=31)),
    }
    moves[answer]()

    rows = AuditLog.objects.filter(target_type="beneficiaries.referral", target_id=referral.pk)
    assert [(r.action, r.data["from"]) for r in rows] == [(f"referral.{answer}", "submitted")]
    referral.refresh_from_db()
    label = ReferralStatus(answer).label
    for other in ("accepted", "refused", "withdrawn"):
        with pytest.raises(InvalidTransition) as error:
            moves[other]()
        assert error.value.message == f"Impossible : l'orientation est « {label} »."
    assert Referral.objects.get(pk=referral.pk).status == answer
    assert rows.count() == 1


@pytest.mark.django_db
def test_create_directly_refuses_duplicates(adviser, platform):
    BeneficiaryFactory(
        platform=platform, first_name="Aïssa", last_name="N'Diaye", birth_date=date(2001, 7, 3)
    )
    fields = {"first_name": "aissa", "last_name": "NDIAYE", "birth_date": date(2001, 7, 3)}
    with pytest.raises(ConflictError):
        services.beneficiary_create(actor=adviser, platform_id=platform.pk, **fields)
    services.beneficiary_create(
        actor=adviser, platform_id=platform.pk, create_anyway=True, **fields
    )
    # The same person on another platform is not a duplicate here.
    other_platform = OrganisationFactory()
    other_adviser = member(Role.ADVISER, other_platform)
    services.beneficiary_create(actor=other_adviser, platform_id=other_platform.pk, **fields)


@pytest.fixture
def followed(platform, adviser, prescriber, prescriber_org):
    referral = ReferralFactory(
        prescriber_organisation=prescriber_org,
        prescriber=prescriber,
        consent_to_share=True,
        consent_at=timezone.now(),
    )
    return services.referral_accept(actor=adviser, referral_id=referral.pk)


BARRIERS = [
    {"category": "financial", "code": "Pas d'argent pour l'essence", "priority": 1},
    {"category": "material", "code": "Voiture en panne", "priority": 2},
]


@pytest.mark.django_db
def test_diagnosis_sets_reinforced_support_and_is_shared_with_consent(
    followed, adviser, prescriber, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        diagnosis = journey.diagnosis_record(
            actor=adviser,
            beneficiary_id=followed.beneficiary_id,
            held_on=timezone.localdate(),
            duration_minutes=90,
            summary="Permis en poche, voiture en panne.",
            decision="reinforced",
            barriers=BARRIERS,
            share_with_prescriber=True,
        )
    person = Beneficiary.objects.get(pk=followed.beneficiary_id)
    assert person.status == BeneficiaryStatus.REINFORCED
    assert [b.code for b in diagnosis.barriers.all()] == [b["code"] for b in BARRIERS]
    assert diagnosis.shared_with_prescriber_at is not None
    shared = Notification.objects.get(template="beneficiaries/diagnosis_shared")
    assert shared.recipient == prescriber.email
    view = prescriber_follow_up(user=prescriber, referral=Referral.objects.get(pk=followed.pk))
    assert view.shared_summary == "Permis en poche, voiture en panne."
    assert view.status == "reinforced"


@pytest.mark.django_db
def test_without_consent_the_prescriber_sees_nothing(followed, adviser, prescriber):
    consent = Consent.objects.get(beneficiary_id=followed.beneficiary_id)
    journey.consent_withdraw(actor=adviser, consent_id=consent.pk)
    assert prescriber_follow_up(user=prescriber, referral=followed) is None
    with pytest.raises(Exception, match="accord"):
        journey.diagnosis_record(
            actor=adviser,
            beneficiary_id=followed.beneficiary_id,
            held_on=timezone.localdate(),
            duration_minutes=60,
            summary="x",
            decision="light_advice",
            barriers=[],
            share_with_prescriber=True,
        )


@pytest.mark.django_db
def test_follow_up_overdue_after_six_weeks_notified_once_a_week(
    followed, adviser, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        journey.diagnosis_record(
            actor=adviser,
            beneficiary_id=followed.beneficiary_id,
            held_on=timezone.localdate(),
            duration_minutes=60,
            summary="x",
            decision="reinforced",
            barriers=[],
        )
    with time_machine.travel(start + timedelta(days=41), tick=False):
        assert journey.follow_ups_overdue_notify() == 0
    with time_machine.travel(start + timedelta(days=43), tick=False):
        assert journey.follow_ups_overdue_notify() == 1
        assert journey.follow_ups_overdue_notify() == 0
    with time_machine.travel(start + timedelta(days=51), tick=False):
        assert journey.follow_ups_overdue_notify() == 1
        journey.follow_up_record(
            actor=adviser,
            beneficiary_id=followed.beneficiary_id,
            held_on=timezone.localdate(),
            channel="phone",
        )
    with time_machine.travel(start + timedelta(days=60), tick=False):
        assert journey.follow_ups_overdue_notify() == 0


@pytest.mark.django_db
def test_outcome_closes_and_timeline_shows_everything(followed, adviser):
    pid = followed.beneficiary_id
    journey.diagnosis_record(
        actor=adviser,
        beneficiary_id=pid,
        held_on=timezone.localdate(),
        duration_minutes=60,
        summary="s",
        decision="reinforced",
        barriers=BARRIERS,
    )
    item = journey.action_item_add(actor=adviser, beneficiary_id=pid, action="Devis au garage")
    journey.action_item_done(actor=adviser, item_id=item.pk)
    journey.follow_up_record(
        actor=adviser, beneficiary_id=pid, held_on=timezone.localdate(), channel="in_person"
    )
    journey.outcome_record(
        actor=adviser, beneficiary_id=pid, code="durable_employment", exited_on=timezone.localdate()
    )
    person = Beneficiary.objects.get(pk=pid)
    assert person.status == BeneficiaryStatus.CLOSED
    kinds = {entry.kind for entry in timeline(person)}
    assert kinds >= {
        "referral",
        "diagnosis",
        "action",
        "action_done",
        "follow_up",
        "consent",
        "outcome",
    }


@pytest.mark.django_db
def test_caseload_counts_active_people(platform, adviser):
    BeneficiaryFactory.create_batch(3, platform=platform, adviser=adviser, status="reinforced")
    BeneficiaryFactory(platform=platform, adviser=adviser, status="closed")
    row = next(r for r in caseload_for(platform_id=platform.pk) if r.adviser_id == adviser.pk)
    assert (row.active, row.reinforced, row.norm, row.load_percent) == (3, 3, 100, 3)


@pytest.mark.django_db
def test_reads_are_logged_and_export_contains_everything(followed, adviser):
    pid = followed.beneficiary_id
    journey.diagnosis_record(
        actor=adviser,
        beneficiary_id=pid,
        held_on=timezone.localdate(),
        duration_minutes=60,
        summary="Synthèse",
        decision="reinforced",
        barriers=BARRIERS,
    )
    journey.follow_up_record(
        actor=adviser,
        beneficiary_id=pid,
        held_on=timezone.localdate(),
        channel="phone",
        notes="Appel",
    )
    privacy.beneficiary_open(user=adviser, beneficiary_id=pid)
    data = privacy.beneficiary_export(user=adviser, beneficiary_id=pid)
    reads = AuditLog.objects.filter(action="beneficiary.read", target_id=str(pid))
    assert reads.count() == 2 and reads.first().actor == adviser
    assert data["person"]["first_name"] == "Élodie"
    assert data["diagnoses"][0]["summary"] == "Synthèse"
    assert [b["code"] for b in data["barriers"]] == [b["code"] for b in BARRIERS]
    assert data["follow_ups"][0]["notes"] == "Appel"
    assert data["referrals"][0]["need"].startswith("Pas de voiture")
    assert data["consents"][0]["purpose"] == "share_with_prescriber"
    assert {e["action"] for e in data["access_log"]} >= {"beneficiary.read"}


@pytest.mark.django_db
def test_anonymisation_after_two_years_keeps_statistics(followed, adviser, platform):
    pid = followed.beneficiary_id
    journey.diagnosis_record(
        actor=adviser,
        beneficiary_id=pid,
        held_on=timezone.localdate(),
        duration_minutes=60,
        summary="Secret",
        decision="reinforced",
        barriers=BARRIERS,
    )
    fresh = BeneficiaryFactory(platform=platform, last_contact_at=timezone.now())
    before = {
        "status": Beneficiary.objects.get(pk=pid).status,
        "situation": Beneficiary.objects.get(pk=pid).situation,
    }
    with time_machine.travel(timezone.now() + timedelta(days=729)):
        assert privacy.anonymise_inactive() == 0
    with time_machine.travel(timezone.now() + timedelta(days=731)):
        assert privacy.anonymise_inactive() == 2  # the followed person and `fresh`
    person = Beneficiary.objects.get(pk=pid)
    assert (person.first_name, person.last_name, person.birth_date, person.phone) == (
        "Anonyme",
        "Anonyme",
        None,
        "",
    )
    assert {"status": person.status, "situation": person.situation} == before
    assert person.barriers.count() == 2  # categories kept for statistics
    assert person.diagnoses.get().summary == ""
    referral = Referral.objects.get(pk=followed.pk)
    assert (referral.first_name, referral.need) == ("Anonyme", "")
    assert Beneficiary.objects.filter(anonymised_at__isnull=False).count() == 2
    assert fresh.pk
    # Anonymised people are no longer found or opened.
    with pytest.raises(NotFoundError):
        privacy.beneficiary_open(user=adviser, beneficiary_id=pid)


@pytest.mark.django_db
def test_journey_refuses_unknown_codes(followed, adviser):
    from core.errors import ApplicationError

    pid = followed.beneficiary_id
    today = timezone.localdate()
    calls = [
        lambda: journey.diagnosis_record(actor=adviser, beneficiary_id=pid, held_on=today,
                                         duration_minutes=60, summary="s", decision="nonsense",
                                         barriers=[]),
        lambda: journey.follow_up_record(actor=adviser, beneficiary_id=pid, held_on=today,
                                         channel="pigeon"),
        lambda: journey.outcome_record(actor=adviser, beneficiary_id=pid, code="bogus",
                                       exited_on=today),
        lambda: journey.outcome_record(actor=adviser, beneficiary_id=pid,
                                       code="training", exited_on=today + timedelta(days=1)),
        lambda: journey.consent_give(actor=adviser, beneficiary_id=pid, purpose="whatever"),
        lambda: journey.consent_give(actor=adviser, beneficiary_id=pid,
                                     purpose="share_with_prescriber",
                                     prescriber_organisation_id=OrganisationFactory(
                                         prescriber=True).pk),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(ApplicationError):
            call()
    person = Beneficiary.objects.get(pk=pid)
    assert person.status == "referred"
    assert not hasattr(person, "outcome") or person.outcome is None


@pytest.mark.django_db
def test_giving_the_same_consent_twice_keeps_one(followed, adviser, prescriber_org):
    first = journey.consent_give(actor=adviser, beneficiary_id=followed.beneficiary_id,
                                 purpose="share_with_prescriber",
                                 prescriber_organisation_id=prescriber_org.pk)  # fmt: skip
    again = journey.consent_give(actor=adviser, beneficiary_id=followed.beneficiary_id,
                                 purpose="share_with_prescriber",
                                 prescriber_organisation_id=prescriber_org.pk)  # fmt: skip
    assert first == again
    assert Consent.objects.filter(beneficiary_id=followed.beneficiary_id).count() == 1


@pytest.mark.django_db
def test_an_anonymised_record_cannot_receive_a_referral(prescriber_org, adviser, platform):
    gone = BeneficiaryFactory(platform=platform, anonymised_at=timezone.now())
    referral = ReferralFactory(prescriber_organisation=prescriber_org)
    with pytest.raises(NotFoundError):
        services.referral_accept(actor=adviser, referral_id=referral.pk, beneficiary_id=gone.pk)
