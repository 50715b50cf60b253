from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bookings.capacity_check import capacity_check


class Command(BaseCommand):
    help = (
        "Check that every slot's reserved places equal the places its holding bookings take "
        "(requested, confirmed, completed, no-show). Lists the slots that differ and exits "
        "with status 1 when there is any."
    )

    def handle(self, *args, **options):
        report = capacity_check()
        for wrong in report.mismatches:
            when = timezone.localtime(wrong.starts_at).isoformat(timespec="minutes")
            self.stdout.write(
                f"slot {wrong.slot_id} of service {wrong.service_id} at {when}: "
                f"reserved {wrong.reserved}, bookings hold {wrong.held}"
            )
        if not report.consistent:
            raise CommandError(
                f"capacity inconsistent: {len(report.mismatches)} of {report.checked} slots "
                "checked differ from their bookings"
            )
        self.stdout.write(f"capacity consistent: {report.checked} slots checked")
