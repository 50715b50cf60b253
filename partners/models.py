from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from core.text import fold
from partners.enums import BookingMode, ClosureReason, PartnerCategory, PartnerStatus, ServiceUnit

ZERO = Decimal("0.00")


def service_search_text(name: str, description: str, partner_name: str) -> str:
    """What the keyword search looks into: one folded line per field, so that a word (never
    containing a line break) cannot match across two fields."""
    return "\n".join(fold(text) for text in (name, description, partner_name))


class Partner(BaseModel):
    """The public profile of a partner organisation (garage, rental, transport, driving school)."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="partner",
        limit_choices_to={"kind": "partner"},
    )
    category = models.CharField(_("catégorie"), max_length=20, choices=PartnerCategory.choices)
    description = models.TextField(_("présentation"), blank=True)
    opening_hours = models.TextField(_("horaires d'ouverture"), blank=True)
    wheelchair_accessible = models.BooleanField(_("accessible en fauteuil roulant"), default=False)
    accessibility_notes = models.CharField(
        _("accessibilité : précisions"), max_length=255, blank=True
    )
    languages = models.JSONField(_("langues parlées"), default=list, blank=True)
    service_radius_km = models.PositiveIntegerField(
        _("rayon d'intervention (km)"), null=True, blank=True,
        validators=[MaxValueValidator(500)],
    )  # fmt: skip
    service_area = models.ManyToManyField(
        "core.Commune",
        verbose_name=_("communes desservies"),
        blank=True,
        related_name="served_by",
        help_text=_("Communes où le partenaire intervient, en plus de son rayon."),
    )
    timezone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    status = models.CharField(
        _("statut"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.DRAFT,
        db_index=True,
    )  # fmt: skip
    # Where the platform pays the partner's statements (settlements). A new IBAN waits for a
    # finance officer's approval before any statement is issued or transferred to it: a
    # changed IBAN is the classic fraud (partners.services_bank).
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    bank_details_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    bank_details_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip
    bank_details_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    bank_details_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["organisation__name"]
        indexes = [
            # The largest radius bounds the catalogue's "serves this place" box.
            models.Index(fields=["service_radius_km"], name="partner_radius_idx"),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def bank_details_approved(self) -> bool:
        """An IBAN is on file and a finance officer approved it since it last changed."""
        return bool(self.iban) and self.bank_details_approved_at is not None


class PartnerAgreement(BaseModel):
    """A partner serves a platform from `since` to `until` (open-ended when empty)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="agreements"
    )
    platform = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("plateforme"),
        on_delete=models.CASCADE,
        related_name="partner_agreements",
        limit_choices_to={"kind": "platform"},
    )
    since = models.DateField(_("depuis le"))
    until = models.DateField(_("jusqu'au"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        constraints = [
            models.UniqueConstraint(fields=["partner", "platform"], name="agreement_unique"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="agreement_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ↔ {self.platform}"


class Service(BaseModel):
    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("nom"), max_length=150)
    category = models.CharField(_("catégorie"), max_length=20, choices=PartnerCategory.choices)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unité"), max_length=10, choices=ServiceUnit.choices)
    market_price = models.DecimalField(
        _("prix du marché (par unité)"), max_digits=12, decimal_places=2
    )
    solidarity_price = models.DecimalField(
        _("prix solidaire (par unité)"), max_digits=12, decimal_places=2
    )
    deposit = models.DecimalField(_("caution"), max_digits=12, decimal_places=2, default=ZERO)
    eligibility_note = models.TextField(_("conditions d'accès"), blank=True)
    booking_mode = models.CharField(
        _("mode de réservation"), max_length=10, choices=BookingMode.choices,
        default=BookingMode.SLOT,
    )  # fmt: skip
    auto_confirm = models.BooleanField(_("confirmation automatique"), default=False)
    # A booking the person did not turn up to is still owed to the partner (the statement
    # counts it), when the partner's agreement says so.
    no_show_owed = models.BooleanField(_("absence non excusée due au partenaire"), default=False)
    min_notice_hours = models.PositiveIntegerField(
        _("délai minimum de réservation (heures)"), default=24,
        validators=[MaxValueValidator(24 * 90)],
    )  # fmt: skip
    max_advance_days = models.PositiveIntegerField(
        _("réservable jusqu'à (jours à l'avance)"), default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )  # fmt: skip
    cancellation_cutoff_hours = models.PositiveIntegerField(
        _("annulation possible jusqu'à (heures avant)"), default=24,
        validators=[MaxValueValidator(24 * 30)],
    )  # fmt: skip
    published = models.BooleanField(_("publié"), default=False, db_index=True)
    # Name, description and partner name folded by `core.text.fold` (one line each), for the
    # catalogue's keyword search; kept by `save()`. On PostgreSQL a trigram GIN index
    # (`service_search_trgm`, migration 0005, not declared here: SQLite cannot build it)
    # serves `LIKE '%mot%'`.
    search_text = models.TextField(_("texte de recherche"), blank=True, default="", editable=False)
    # The start of the first slot with room from `next_free_checked_at` on (empty: none), as
    # it was then. `partners.next_free` says when it can be trusted and refreshes it.
    next_free_at = models.DateTimeField(_("prochaine place libre"), null=True, editable=False)
    next_free_checked_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["partner_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(market_price__gte=0) & Q(solidarity_price__gte=0) & Q(deposit__gte=0),
                name="service_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(solidarity_price__lte=F("market_price")),
                name="service_solidarity_le_market",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"name", "description"} & set(update_fields):
            self.search_text = service_search_text(
                self.name, self.description, self.partner.organisation.name
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def saving(self) -> Decimal:
        return self.market_price - self.solidarity_price


class AvailabilityRule(BaseModel):
    """Weekly opening of a service, in the partner's local time."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="rules"
    )
    weekdays = models.JSONField(_("jours"), default=list)
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    slot_minutes = models.PositiveIntegerField(
        _("durée d'un créneau (minutes)"), default=60,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
    )  # fmt: skip
    capacity = models.PositiveIntegerField(
        _("places par créneau"), default=1, validators=[MinValueValidator(1)]
    )
    valid_from = models.DateField(_("valable à partir du"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("règle de disponibilité")
        verbose_name_plural = _("règles de disponibilité")
        ordering = ["service_id", "valid_from", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="rule_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="rule_until_after_from",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="rule_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.weekdays} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Closure(BaseModel):
    """A partner-wide or per-service closure, or a capacity reduced to `capacity`."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.CASCADE, related_name="closures"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service (vide : tout le partenaire)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    reason = models.CharField(
        _("motif"), max_length=20, choices=ClosureReason.choices, default=ClosureReason.HOLIDAYS
    )
    note = models.CharField(_("précision"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacité réduite à"),
        null=True,
        blank=True,
        help_text=_("Laisser vide pour une fermeture complète."),
    )

    class Meta:
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="closure_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class Slot(models.Model):
    """A bookable unit of capacity (a timed slot, or one day of a rental period). UTC."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("capacité"))
    reserved = models.PositiveIntegerField(_("réservé"), default=0)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["service_id", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("capacity")),
                name="slot_reserved_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_end_after_start"
            ),
        ]
        indexes = [
            # "Is there a free slot in this window?" and "when is the next free slot?"
            models.Index(
                fields=["service", "starts_at"],
                condition=Q(reserved__lt=F("capacity")),
                name="slot_free_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.starts_at:%Y-%m-%d %H:%M} {self.reserved}/{self.capacity}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.reserved


class SlotConflict(models.Model):
    """Regeneration wanted less capacity than a slot has reserved: the partner must act."""

    slot = models.OneToOneField(
        Slot, verbose_name=_("créneau"), on_delete=models.CASCADE, related_name="conflict"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="conflicts"
    )
    wanted_capacity = models.PositiveIntegerField(_("capacité prévue"))
    reserved = models.PositiveIntegerField(_("places réservées"))
    detected_at = models.DateTimeField(_("détecté le"), auto_now=True)

    class Meta:
        verbose_name = _("conflit de créneau")
        verbose_name_plural = _("conflits de créneaux")
        ordering = ["slot__starts_at"]

    def __str__(self) -> str:
        return f"{self.slot}: {self.reserved} réservé(s), {self.wanted_capacity} prévu(s)"


class StaleNextFree(models.Model):
    """A service whose stored next free slot may be out of date: a slot of it became full or
    free, appeared or went. Written by database triggers on `partners_slot` (migration 0005),
    whatever wrote the slot; removed when `partners.next_free.next_free_refresh` recomputes
    the service. No foreign key constraint, so writing one never locks the service row."""

    service = models.ForeignKey(
        Service, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = _("prochaine place à recalculer")
        verbose_name_plural = _("prochaines places à recalculer")

    def __str__(self) -> str:
        return str(self.service_id)
