"""Demo people of the Allier platform (fictional), across every step of the journey."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.demo import DemoContext
from beneficiaries.enums import (
    BeneficiaryStatus,
    ConsentPurpose,
    DiagnosisDecision,
    ReferralStatus,
)
from beneficiaries.models import (
    ActionPlanItem,
    Barrier,
    Beneficiary,
    Consent,
    Diagnosis,
    FollowUp,
    Outcome,
    Referral,
)

# first, last, birth, commune, postcode, situation, French level, status, prescriber key
PEOPLE = [
    ("Léa", "Martin", date(1998, 4, 12), "Montluçon", "03100", "rsa", "B2+", "reinforced", "france_travail"),
    ("Karim", "Haddad", date(2003, 9, 2), "Montluçon", "03100", "youth_mission_locale", "B1", "reinforced", "mission_locale"),
    ("Nathalie", "Bernard", date(1979, 1, 23), "Moulins", "03000", "rsa", "B2+", "reinforced", "departement_rsa"),
    ("Yasmine", "Belkacem", date(1991, 6, 14), "Vichy", "03200", "jobseeker", "B1", "reinforced", "ccas_vichy"),
    ("Julien", "Petit", date(1988, 11, 30), "Yzeure", "03400", "siae_employee", "B2+", "reinforced", "siae"),
    ("Fatou", "Diallo", date(1995, 3, 8), "Moulins", "03000", "jobseeker", "A2", "reinforced", "france_travail"),
    ("Kevin", "Moreau", date(2004, 2, 19), "Commentry", "03600", "youth_mission_locale", "B2+", "reinforced", "mission_locale"),
    ("Sandrine", "Lefèvre", date(1975, 7, 7), "Cusset", "03300", "rsa", "B2+", "reinforced", "departement_rsa"),
    ("Mehdi", "Benali", date(1990, 12, 1), "Vichy", "03200", "jobseeker", "B1", "light_advice", "ccas_vichy"),
    ("Chloé", "Garnier", date(2002, 5, 25), "Domérat", "03410", "youth_mission_locale", "B2+", "light_advice", "mission_locale"),
    ("Patrick", "Roux", date(1969, 10, 10), "Moulins", "03000", "rsa", "B2+", "light_advice", "departement_rsa"),
    ("Amina", "Traoré", date(1993, 8, 17), "Montluçon", "03100", "siae_employee", "A2", "light_advice", "siae"),
    ("Thomas", "Fontaine", date(1985, 4, 4), "Saint-Pourçain-sur-Sioule", "03500", "jobseeker", "B2+", "diagnosis", "france_travail"),
    ("Inès", "Marchand", date(2005, 1, 15), "Gannat", "03800", "youth_mission_locale", "B1", "diagnosis", "mission_locale"),
    ("David", "Mercier", date(1982, 6, 29), "Lapalisse", "03120", "rsa", "B2+", "diagnosis", "departement_rsa"),
    ("Samira", "Ouali", date(1997, 3, 21), "Moulins", "03000", "jobseeker", "A2", "referred", "france_travail"),
    ("Romain", "Lambert", date(2001, 9, 9), "Bellerive-sur-Allier", "03700", "youth_mission_locale", "B2+", "referred", "ccas_vichy"),
    ("Hélène", "Faure", date(1977, 12, 12), "Avermes", "03000", "rsa", "B2+", "referred", "departement_rsa"),
    ("Ousmane", "Sow", date(1989, 5, 5), "Montluçon", "03100", "siae_employee", "B1", "referred", "siae"),
    ("Émilie", "Girard", date(1994, 2, 2), "Désertines", "03630", "jobseeker", "B2+", "closed", "france_travail"),
    ("Lucas", "Blanc", date(2000, 10, 20), "Vichy", "03200", "youth_mission_locale", "B2+", "closed", "mission_locale"),
    ("Nadia", "Chérif", date(1986, 7, 31), "Moulins", "03000", "rsa", "B1", "closed", "departement_rsa"),
    ("Sébastien", "Guerin", date(1980, 3, 3), "Commentry", "03600", "siae_employee", "B2+", "closed", "siae"),
    ("Manon", "Perrot", date(2003, 11, 11), "Cusset", "03300", "youth_mission_locale", "B2+", "closed", "ccas_vichy"),
    ("Abdel", "Mansouri", date(1978, 8, 8), "Montluçon", "03100", "rsa", "A2", "closed", "departement_rsa"),
    ("Camille", "Renaud", date(1999, 6, 6), "Yzeure", "03400", "jobseeker", "B2+", "reinforced", "france_travail"),
    ("Victor", "Brun", date(1992, 1, 1), "Moulins", "03000", "jobseeker", "B2+", "reinforced", "france_travail"),
    ("Laura", "Dupuis", date(1996, 4, 14), "Vichy", "03200", "rsa", "B2+", "light_advice", "ccas_vichy"),
    ("Yanis", "Meunier", date(2006, 2, 28), "Montluçon", "03100", "youth_mission_locale", "B1", "diagnosis", "mission_locale"),
    ("Corinne", "Aubert", date(1972, 9, 19), "Saint-Yorre", "03270", "siae_employee", "B2+", "referred", "siae"),
]  # fmt: skip

EXTRA_PRESCRIBERS = {
    "departement_rsa": "Département de l'Allier — service insertion RSA (référent unique)",
    "siae": "Atelier et chantier d'insertion « Les Jardins de Bourbon »",
}
BARRIERS = [
    ("financial", "Pas d'argent pour le carburant", 1),
    ("material", "Voiture en panne depuis trois mois", 1),
    ("cognitive", "Difficile de lire les horaires de bus", 2),
    ("administrative", "Permis suspendu, dossier à refaire", 2),
    ("psychological", "Peur de conduire seul·e", 3),
    ("language", "Comprend mal les panneaux", 2),
]
OUTCOMES = ["durable_employment", "transition_employment", "training", "positive_other", "none",
            "durable_employment"]  # fmt: skip
NEEDS = [
    "Trouver un moyen d'aller travailler à 6 h du matin, sans bus à cette heure-là.",
    "Réparer sa voiture pour garder son emploi en ESAT.",
    "Passer le permis pour un poste d'aide à domicile.",
    "Aller en formation à Vichy trois jours par semaine.",
]


def _prescribers(ctx: DemoContext) -> dict:
    from accounts.enums import OrganisationKind
    from accounts.models import Organisation

    orgs = {
        "france_travail": ctx.organisations["france_travail"],
        "mission_locale": ctx.organisations["mission_locale"],
        "ccas_vichy": ctx.organisations["ccas_vichy"],
    }
    for key, name in EXTRA_PRESCRIBERS.items():
        orgs[key], _ = Organisation.objects.update_or_create(
            kind=OrganisationKind.PRESCRIBER, name=name,
            defaults={"commune": "Moulins", "postcode": "03000", "territory": "03",
                      "platform": ctx.platform},
        )  # fmt: skip
    _prescriber_profiles(orgs)
    return orgs


# The kind of each demo prescriber, for the network page (issue 16).
PRESCRIBER_KINDS = {
    "france_travail": "france_travail", "mission_locale": "mission_locale",
    "ccas_vichy": "ccas", "departement_rsa": "departement", "siae": "siae",
}  # fmt: skip


def _prescriber_profiles(orgs: dict) -> None:
    from beneficiaries.models_network import PrescriberProfile

    for key, kind in PRESCRIBER_KINDS.items():
        PrescriberProfile.objects.update_or_create(organisation=orgs[key],
                                                   defaults={"kind": kind})  # fmt: skip


def seed_beneficiaries(ctx: DemoContext) -> list[Beneficiary]:
    now = timezone.now()
    today = timezone.localdate()
    adviser = ctx.users["adviser@demo.test"]
    prescriber = ctx.users["prescriber@demo.test"]
    prescribers = _prescribers(ctx)
    for index, (
        first,
        last,
        born,
        commune,
        postcode,
        situation,
        french,
        status,
        source,
    ) in enumerate(PEOPLE):
        user = ctx.users["beneficiary@demo.test"] if index == 0 else None
        person, created = Beneficiary.objects.update_or_create(
            platform=ctx.platform, first_name=first, last_name=last, birth_date=born,
            defaults={
                "adviser": adviser, "commune": commune, "postcode": postcode,
                "situation": situation, "french_level": french, "status": status,
                "project_defined": True, "user": user,
                "professional_project": "Emploi stable près de chez soi",
                "phone": f"+336000000{index + 10:02d}",
                "email": user.email if user else "",
            },
        )  # fmt: skip
        if not created:
            continue
        org = prescribers[source]
        shared = index % 3 != 2  # two people in three agreed to share their follow-up
        arrived = now - timedelta(days=20 + 3 * index)
        referral = Referral.objects.create(
            platform=ctx.platform, prescriber_organisation=org,
            prescriber=prescriber if source == "france_travail" else None,
            beneficiary=person, first_name=first, last_name=last, birth_date=born,
            commune=commune, postcode=postcode, situation=situation, french_level=french,
            professional_project=person.professional_project, need=NEEDS[index % len(NEEDS)],
            consent_to_share=shared, consent_at=arrived if shared else None,
            status=ReferralStatus.ACCEPTED, answered_at=arrived + timedelta(days=2),
            answered_by=adviser,
        )  # fmt: skip
        Referral.objects.filter(pk=referral.pk).update(created_at=arrived)
        if shared:
            Consent.objects.create(
                beneficiary=person, purpose=ConsentPurpose.SHARE_WITH_PRESCRIBER,
                prescriber_organisation=org, given_at=arrived, recorded_by=adviser,
            )  # fmt: skip
        if index % 4 != 3:  # three people in four agreed to SMS reminders (core.sms_consent)
            Consent.objects.create(beneficiary=person, purpose=ConsentPurpose.SMS,
                                   given_at=arrived, recorded_by=adviser)  # fmt: skip
        if status in (BeneficiaryStatus.REFERRED, BeneficiaryStatus.DIAGNOSIS):
            Beneficiary.objects.filter(pk=person.pk).update(last_contact_at=arrived)
            continue
        held = (arrived + timedelta(days=7)).date()
        decision = (DiagnosisDecision.LIGHT_ADVICE if status == BeneficiaryStatus.LIGHT_ADVICE
                    else DiagnosisDecision.REINFORCED)  # fmt: skip
        diagnosis = Diagnosis.objects.create(
            beneficiary=person, author=adviser, held_on=held, duration_minutes=90,
            summary="Situation et freins vus ensemble ; priorité : se rendre au travail.",
            decision=decision, shared_with_prescriber_at=now if shared else None,
        )  # fmt: skip
        picked = [BARRIERS[(index + k) % len(BARRIERS)] for k in range(2)]
        barriers = [
            Barrier.objects.create(beneficiary=person, diagnosis=diagnosis, category=category,
                                   code=code, priority=priority)
            for category, code, priority in picked
        ]  # fmt: skip
        ActionPlanItem.objects.create(
            beneficiary=person, barrier=barriers[0], action="Demander un devis au garage solidaire",
            due_on=today + timedelta(days=14),
        )  # fmt: skip
        # Some people in reinforced support have had no follow-up for over six weeks.
        overdue = status == BeneficiaryStatus.REINFORCED and index % 4 == 3
        last = today - timedelta(days=60 if overdue else 10)
        FollowUp.objects.create(beneficiary=person, author=adviser, held_on=last,
                                channel="in_person", notes="Point d'étape.")  # fmt: skip
        if overdue:
            Diagnosis.objects.filter(pk=diagnosis.pk).update(held_on=last - timedelta(days=14))
        if status == BeneficiaryStatus.CLOSED:
            Outcome.objects.create(beneficiary=person, code=OUTCOMES[index % len(OUTCOMES)],
                                   exited_on=last, recorded_by=adviser)  # fmt: skip
        contact = timezone.make_aware(timezone.datetime.combine(last, timezone.datetime.min.time()))
        Beneficiary.objects.filter(pk=person.pk).update(last_contact_at=contact)
    _seed_open_referrals(ctx, prescribers, prescriber, adviser, now)
    return [
        Beneficiary.objects.get(platform=ctx.platform, first_name=first, last_name=last,
                                birth_date=born)
        for first, last, born, *_rest in PEOPLE
    ]  # fmt: skip


def _seed_open_referrals(ctx, prescribers, prescriber, adviser, now) -> None:
    """Referrals not (yet) turned into a record: waiting, refused, expired, withdrawn."""
    rows = [
        ("Rachid", "Amrani", ReferralStatus.SUBMITTED, 2, "", ""),
        ("Sophie", "Carpentier", ReferralStatus.SUBMITTED, 12, "", ""),
        ("Mariam", "Keita", ReferralStatus.REFUSED, 25, "language_level",
         "Cours de français (FLE) au centre social de Moulins"),
        ("Jean", "Vasseur", ReferralStatus.REFUSED, 40, "no_professional_project",
         "Bilan d'orientation avec France Travail"),
        ("Eva", "Lopez", ReferralStatus.EXPIRED, 45, "", ""),
        ("Bruno", "Collet", ReferralStatus.WITHDRAWN, 8, "", ""),
    ]  # fmt: skip
    for first, last, status, days, reason, reorientation in rows:
        if Referral.objects.filter(
            platform=ctx.platform, first_name=first, last_name=last
        ).exists():
            continue
        created = now - timedelta(days=days)
        referral = Referral.objects.create(
            platform=ctx.platform, prescriber_organisation=prescribers["france_travail"],
            prescriber=prescriber, first_name=first, last_name=last, situation="jobseeker",
            french_level="A1" if reason == "language_level" else "B1",
            professional_project="" if reason == "no_professional_project" else "Cariste",
            need=NEEDS[days % len(NEEDS)], commune="Moulins", postcode="03000", status=status,
            refusal_reason=reason, reorientation=reorientation,
            consent_to_share=True, consent_at=created,
            answered_at=created + timedelta(days=3) if status == ReferralStatus.REFUSED else None,
            answered_by=adviser if status == ReferralStatus.REFUSED else None,
            reminded_at=created + timedelta(days=10) if days > 10 and status in (
                ReferralStatus.SUBMITTED, ReferralStatus.EXPIRED) else None,
        )  # fmt: skip
        Referral.objects.filter(pk=referral.pk).update(created_at=created)
