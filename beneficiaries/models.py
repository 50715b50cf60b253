"""The person a platform supports. The journey (referrals, diagnosis, plan...) builds on it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_phone
from beneficiaries.enums import (
    BarrierCategory,
    BeneficiaryStatus,
    ConsentPurpose,
    ContactPreference,
    DiagnosisDecision,
    DrivingLicence,
    FollowUpChannel,
    FrenchLevel,
    NationalityGroup,
    OutcomeCode,
    ReferralSource,
    ReferralStatus,
    RefusalReason,
    Situation,
    Vehicle,
)
from core.models import BaseModel
from core.phones import normalise_phone


class Beneficiary(BaseModel):
    platform = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("plateforme"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        limit_choices_to={"kind": "platform"},
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseiller·ère"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_beneficiaries",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="beneficiary",
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("adresse e-mail"), blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    situation = models.CharField(
        _("situation"), max_length=30, choices=Situation.choices, default=Situation.OTHER
    )
    professional_project = models.TextField(_("projet professionnel"), blank=True)
    project_defined = models.BooleanField(_("projet professionnel défini"), default=False)
    french_level = models.CharField(
        _("niveau de français"), max_length=5, choices=FrenchLevel.choices, blank=True
    )
    driving_licence = models.CharField(
        _("permis de conduire"), max_length=12, choices=DrivingLicence.choices, blank=True
    )
    vehicle = models.CharField(_("véhicule"), max_length=12, choices=Vehicle.choices, blank=True)
    household = models.CharField(_("foyer"), max_length=255, blank=True)
    income_notes = models.TextField(_("ressources (notes)"), blank=True)
    nationality_group = models.CharField(
        _("nationalité"), max_length=8, choices=NationalityGroup.choices, blank=True
    )
    status = models.CharField(
        _("étape"),
        max_length=20,
        choices=BeneficiaryStatus.choices,
        default=BeneficiaryStatus.REFERRED,
        db_index=True,
    )
    search_key = models.CharField(_("clé de doublon"), max_length=255, blank=True, db_index=True)
    # Names, commune and birth year, lower case without accents (beneficiaries.duplicates
    # .search_text): what the person search matches, the same on SQLite and PostgreSQL.
    search_text = models.CharField(_("texte de recherche"), max_length=400, blank=True)
    last_contact_at = models.DateTimeField(_("dernier contact"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(
        _("retard de suivi signalé le"), null=True, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("personne accompagnée")
        verbose_name_plural = _("personnes accompagnées")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        from beneficiaries.duplicates import duplicate_key, search_text

        self.phone = normalise_phone(self.phone)
        if self.anonymised_at is None:
            self.search_key = duplicate_key(self.last_name, self.first_name, self.birth_date)
            self.search_text = search_text(self)
        super().save(*args, **kwargs)


class EligibilityPolicy(BaseModel):
    """A platform's eligibility rules (defaults: the Allier's)."""

    platform = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("plateforme"),
        on_delete=models.CASCADE,
        related_name="eligibility_policy",
    )
    situations = models.JSONField(_("situations acceptées"), default=list)
    require_project = models.BooleanField(_("projet professionnel défini exigé"), default=True)
    min_french_level = models.CharField(
        _("niveau de français minimum"), max_length=5, choices=FrenchLevel.choices, blank=True,
        default=FrenchLevel.A2,
    )  # fmt: skip
    validity_months = models.PositiveSmallIntegerField(_("validité (mois)"), default=6)

    class Meta:
        verbose_name = _("règles d'éligibilité")
        verbose_name_plural = _("règles d'éligibilité")

    def __str__(self) -> str:
        return f"{self.platform}"


class EligibilityCheck(BaseModel):
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    eligible = models.BooleanField(_("éligible"))
    results = models.JSONField(_("critères"), default=list)
    valid_until = models.DateField(_("valable jusqu'au"))

    class Meta:
        verbose_name = _("vérification d'éligibilité")
        verbose_name_plural = _("vérifications d'éligibilité")
        ordering = ["-created_at"]


class Referral(BaseModel):
    """Fiche de repérage: a prescriber refers a person to the platform."""

    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="received_referrals"
    )
    # Empty for a self-referral (`source` = self): the person came through the public page.
    prescriber_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="sent_referrals",
        null=True, blank=True,
    )  # fmt: skip
    source = models.CharField(
        _("origine"), max_length=12, choices=ReferralSource.choices,
        default=ReferralSource.PRESCRIBER, db_index=True,
    )  # fmt: skip
    help_wanted = models.JSONField(_("aides souhaitées"), default=list, blank=True)
    contact_preference = models.CharField(
        _("préfère être contacté·e par"), max_length=8, choices=ContactPreference.choices,
        blank=True,
    )  # fmt: skip
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("adresse e-mail"), blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    situation = models.CharField(_("situation"), max_length=30, choices=Situation.choices)
    professional_project = models.TextField(_("projet professionnel"), blank=True)
    steps_taken = models.TextField(_("démarches déjà faites"), blank=True)
    french_level = models.CharField(
        _("niveau de français"), max_length=5, choices=FrenchLevel.choices, blank=True
    )
    need = models.TextField(_("besoin de mobilité"))
    consent_to_share = models.BooleanField(_("accord pour partager le suivi"), default=False)
    consent_at = models.DateTimeField(_("accord donné le"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=12, choices=ReferralStatus.choices,
        default=ReferralStatus.SUBMITTED, db_index=True,
    )  # fmt: skip
    refusal_reason = models.CharField(
        _("motif du refus"), max_length=30, choices=RefusalReason.choices, blank=True
    )
    reorientation = models.TextField(_("orientation proposée"), blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reminded_at = models.DateTimeField(_("relance le"), null=True, blank=True)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["platform", "created_at"], name="referral_platform_created"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    @property
    def origin_name(self) -> str:
        """Who sent it: the prescriber organisation, or « Demande directe »."""
        if self.prescriber_organisation_id is None:
            return str(_("Demande directe (formulaire public)"))
        return self.prescriber_organisation.name

    def save(self, *args, **kwargs):
        self.phone = normalise_phone(self.phone)
        super().save(*args, **kwargs)


class Diagnosis(BaseModel):
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="diagnoses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=90)
    summary = models.TextField(_("synthèse"))
    decision = models.CharField(_("décision"), max_length=15, choices=DiagnosisDecision.choices)
    shared_with_prescriber_at = models.DateTimeField(
        _("partagé avec le prescripteur le"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("diagnostic mobilité")
        verbose_name_plural = _("diagnostics mobilité")
        ordering = ["-held_on", "-id"]
        # A person's diagnoses up to a day (the indicators' latest decision, first support).
        indexes = [models.Index(fields=["beneficiary", "held_on"], name="diagnosis_person_day")]


class Barrier(BaseModel):
    """A difficulty getting around (frein), found at the diagnosis."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="barriers")
    diagnosis = models.ForeignKey(
        Diagnosis, null=True, blank=True, on_delete=models.SET_NULL, related_name="barriers"
    )
    category = models.CharField(_("type"), max_length=15, choices=BarrierCategory.choices)
    code = models.CharField(_("difficulté"), max_length=40)
    priority = models.PositiveSmallIntegerField(
        _("priorité"), default=2, choices=[(1, _("haute")), (2, _("moyenne")), (3, _("basse"))]
    )
    lifted_at = models.DateTimeField(_("levée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("frein")
        verbose_name_plural = _("freins")
        ordering = ["priority", "id"]


class ActionPlanItem(BaseModel):
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="action_items"
    )
    barrier = models.ForeignKey(
        Barrier, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    action = models.CharField(_("action"), max_length=255)
    due_on = models.DateField(_("pour le"), null=True, blank=True)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)

    class Meta:
        verbose_name = _("action du plan")
        verbose_name_plural = _("plan d'action")
        ordering = [models.F("done_at").asc(nulls_first=True), "due_on", "id"]


class FollowUp(BaseModel):
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="follow_ups"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("date"))
    channel = models.CharField(_("moyen"), max_length=10, choices=FollowUpChannel.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("rendez-vous de suivi")
        verbose_name_plural = _("rendez-vous de suivi")
        ordering = ["-held_on", "-id"]
        # A person's latest follow-up up to a day (the indicators' cadence, overdue lists).
        indexes = [models.Index(fields=["beneficiary", "held_on"], name="followup_person_day")]


class Outcome(BaseModel):
    beneficiary = models.OneToOneField(
        Beneficiary, on_delete=models.CASCADE, related_name="outcome"
    )
    code = models.CharField(_("sortie"), max_length=25, choices=OutcomeCode.choices)
    exited_on = models.DateField(_("date de sortie"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sortie")
        verbose_name_plural = _("sorties")


class Consent(BaseModel):
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("objet"), max_length=25, choices=ConsentPurpose.choices)
    prescriber_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("Pour un partage : avec quel prescripteur."),
    )  # fmt: skip
    given_at = models.DateTimeField(_("donné le"))
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")
        ordering = ["-given_at"]


# The prescribers' network (issue 16), in its own module; imported here so Django finds it.
from beneficiaries.models_network import PrescriberProfile  # noqa: E402, F401
