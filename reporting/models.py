from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportSnapshot(models.Model):
    """The figures of a scope (a platform, or the whole network when `platform` is empty) for
    a period, as `reporting.selectors.Report` computed them at `computed_at` — every family,
    every table except the ones naming people. Written only by
    `reporting.services.report_snapshot_refresh`; read by `reporting.snapshots.report_for`."""

    platform = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    start = models.DateField(_("du"))
    end = models.DateField(_("au"))
    computed_at = models.DateTimeField(_("arrêtés au"))
    families = models.JSONField(_("indicateurs"))

    class Meta:
        verbose_name = _("indicateurs arrêtés")
        verbose_name_plural = _("indicateurs arrêtés")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "start", "end"], condition=Q(platform__isnull=False),
                name="reportsnapshot_one_per_platform_period",
            ),
            models.UniqueConstraint(
                fields=["start", "end"], condition=Q(platform__isnull=True),
                name="reportsnapshot_one_per_network_period",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.platform_id or 'réseau'} {self.start}–{self.end} ({self.computed_at})"
