"""The platform's own agenda: places, appointment kinds, advisers' weekly rules and
closures, the slots they give (and sessions set one by one), and appointments.

`AgendaSlot` has the columns of `partners.Slot` that the capacity guard needs (`capacity`,
`reserved`, the same check constraint): `bookings.capacity.take` fills both tables with the
one conditional update."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agenda.enums import (
    AppointmentStatus,
    CancelledBy,
    ClosureReason,
    KindCategory,
    PlaceKind,
)
from core.models import BaseModel

PLATFORM = {"kind": "platform"}


class Place(BaseModel):
    """Where advisers receive people: the platform's office, a CMS, a France Services, a
    town hall, the mobile space. Coordinates: the address geocoded, or the commune's."""

    platform = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("plateforme"), on_delete=models.CASCADE,
        related_name="agenda_places", limit_choices_to=PLATFORM,
    )  # fmt: skip
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type de lieu"), max_length=20, choices=PlaceKind.choices)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "core.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    accessible = models.BooleanField(_("accessible en fauteuil roulant"), default=False)
    access_notes = models.CharField(_("accès : précisions"), max_length=255, blank=True)
    active = models.BooleanField(_("en service"), default=True)

    class Meta:
        verbose_name = _("lieu de rendez-vous")
        verbose_name_plural = _("lieux de rendez-vous")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "name"], name="agenda_place_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AppointmentKind(BaseModel):
    """Diagnostic (90 min), follow-up (45 min), collective session (5 seats)...: data of
    each platform. `follow_up_within_days`: the next appointment is proposed no later."""

    platform = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("plateforme"), on_delete=models.CASCADE,
        related_name="appointment_kinds", limit_choices_to=PLATFORM,
    )  # fmt: skip
    category = models.CharField(_("type"), max_length=12, choices=KindCategory.choices)
    name = models.CharField(_("nom"), max_length=100)
    duration_minutes = models.PositiveIntegerField(
        _("durée (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(8 * 60)]
    )
    seats = models.PositiveIntegerField(
        _("places"), default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    follow_up_within_days = models.PositiveIntegerField(
        _("suivi à proposer sous (jours)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )  # fmt: skip

    class Meta:
        verbose_name = _("type de rendez-vous")
        verbose_name_plural = _("types de rendez-vous")
        ordering = ["platform_id", "category", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "category"], name="agenda_kind_one_per_category"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="agenda_kind_seats_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class AgendaRule(BaseModel):
    """An adviser receives at a place on these weekdays and hours (platform's time zone),
    in slots of the kind's length with the kind's seats. Same attributes as
    `partners.AvailabilityRule` for the slot generator."""

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("conseiller·ère"), on_delete=models.CASCADE,
        related_name="agenda_rules",
    )  # fmt: skip
    place = models.ForeignKey(
        Place, verbose_name=_("lieu"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.ForeignKey(
        AppointmentKind, verbose_name=_("type de rendez-vous"), on_delete=models.PROTECT,
        related_name="rules",
    )  # fmt: skip
    weekdays = models.JSONField(_("jours"), default=list)
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    valid_from = models.DateField(_("valable à partir du"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("horaire de conseiller·ère")
        verbose_name_plural = _("horaires des conseillers")
        ordering = ["adviser_id", "valid_from", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="agenda_rule_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="agenda_rule_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.weekdays} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def slot_minutes(self) -> int:
        return self.kind.duration_minutes

    @property
    def capacity(self) -> int:
        return self.kind.seats


class AgendaClosure(BaseModel):
    """An adviser away, a place closed, or the whole platform closed (both empty)."""

    platform = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("plateforme"), on_delete=models.CASCADE,
        related_name="agenda_closures", limit_choices_to=PLATFORM,
    )  # fmt: skip
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("conseiller·ère (vide : tous)"), null=True,
        blank=True, on_delete=models.CASCADE, related_name="agenda_closures",
    )  # fmt: skip
    place = models.ForeignKey(
        Place, verbose_name=_("lieu (vide : tous)"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="closures",
    )  # fmt: skip
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    reason = models.CharField(
        _("motif"), max_length=20, choices=ClosureReason.choices, default=ClosureReason.HOLIDAYS
    )
    # A closure of the agenda is always complete (what `partners.slots.apply_closures` reads).
    capacity = None

    class Meta:
        verbose_name = _("fermeture d'agenda")
        verbose_name_plural = _("fermetures d'agenda")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="agenda_closure_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class AgendaSlot(models.Model):
    """A time an adviser receives at a place: from the rules (`session` false), or a
    collective session or outreach date set by hand (theme, seats; outreach dates count
    the people met and the referrals they produced). UTC."""

    platform = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("plateforme"), on_delete=models.CASCADE,
        related_name="agenda_slots", limit_choices_to=PLATFORM,
    )  # fmt: skip
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("conseiller·ère"), on_delete=models.CASCADE,
        related_name="agenda_slots",
    )  # fmt: skip
    place = models.ForeignKey(
        Place, verbose_name=_("lieu"), on_delete=models.PROTECT, related_name="slots"
    )
    kind = models.ForeignKey(
        AppointmentKind, verbose_name=_("type"), on_delete=models.PROTECT, related_name="slots"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("places"))
    reserved = models.PositiveIntegerField(_("places prises"), default=0)
    session = models.BooleanField(_("séance ou permanence"), default=False)
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    people_met = models.PositiveIntegerField(_("personnes rencontrées"), null=True, blank=True)
    referrals = models.ManyToManyField(
        "beneficiaries.Referral", verbose_name=_("orientations produites"), blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("créneau d'agenda")
        verbose_name_plural = _("créneaux d'agenda")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["adviser", "starts_at"],
                condition=Q(session=False),
                name="agenda_slot_unique_start",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("capacity")),
                name="agenda_slot_reserved_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="agenda_slot_end_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "starts_at"],
                condition=Q(reserved__lt=F("capacity")),
                name="agenda_slot_free_idx",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.starts_at:%Y-%m-%d %H:%M} {self.reserved}/{self.capacity}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.reserved


class Appointment(BaseModel):
    """A person (a record, or a referral not yet answered) in an agenda slot."""

    platform = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("plateforme"), on_delete=models.CASCADE,
        related_name="appointments", limit_choices_to=PLATFORM,
    )  # fmt: skip
    slot = models.ForeignKey(
        AgendaSlot, verbose_name=_("créneau"), null=True, on_delete=models.SET_NULL,
        related_name="appointments",
    )  # fmt: skip
    kind = models.ForeignKey(
        AppointmentKind, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("conseiller·ère"), on_delete=models.PROTECT,
        related_name="appointments",
    )  # fmt: skip
    place = models.ForeignKey(
        Place, verbose_name=_("lieu"), on_delete=models.PROTECT, related_name="appointments"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", verbose_name=_("personne"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="appointments",
    )  # fmt: skip
    referral = models.ForeignKey(
        "beneficiaries.Referral", verbose_name=_("orientation"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="appointments",
    )  # fmt: skip
    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin"))
    status = models.CharField(
        _("statut"), max_length=10, choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )  # fmt: skip
    holding = models.BooleanField(_("tient sa place"), default=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pris par"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    follow_up_of = models.ForeignKey(
        "self", verbose_name=_("suite de"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="follow_ups",
    )  # fmt: skip
    moved_from = models.OneToOneField(
        "self", verbose_name=_("déplacé depuis"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="moved_to",
    )  # fmt: skip
    cancelled_by = models.CharField(
        _("annulé par"), max_length=10, choices=CancelledBy.choices, blank=True
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=255, blank=True)
    reminders_sent = models.JSONField(_("rappels envoyés (heures avant)"), default=list)

    class Meta:
        verbose_name = _("rendez-vous de la plateforme")
        verbose_name_plural = _("rendez-vous de la plateforme")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(beneficiary__isnull=False) | Q(referral__isnull=False),
                name="appointment_has_a_person",
            ),
            models.UniqueConstraint(
                fields=["slot", "beneficiary"],
                condition=Q(holding=True, beneficiary__isnull=False),
                name="appointment_one_per_person_and_slot",
            ),
            models.UniqueConstraint(
                fields=["slot", "referral"],
                condition=Q(holding=True, referral__isnull=False, beneficiary__isnull=True),
                name="appointment_one_per_referral_and_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def person(self):
        """Who comes: the record, or the referral while it has none."""
        if self.beneficiary_id:
            return self.beneficiary
        return self.referral
