"""What financing plugs into the apps below it (`bookings.hooks`), connected by
`FinancingConfig.ready()`: a booking that stops holding its places gives its grants back
(in the transition's transaction), the booking's page shows its financing plan, and the
voucher prints who pays what."""

from decimal import Decimal

from django.template.loader import render_to_string

from beneficiaries import hooks as beneficiary_hooks
from bookings import hooks
from financing.enums import LineKind
from financing.plans import plan_release_for_booking
from financing.selectors import financing_export_rows, plan_for
from financing.views_plan import financing_summary


def release_grants(sender, *, booking, **kwargs) -> None:
    plan_release_for_booking(booking=booking)


def plan_panel(sender, *, booking, request, **kwargs) -> str:
    """The « Financement » card of the booking's page: who pays what, and the link to the plan
    for those who may build it."""
    summary = financing_summary(booking, user=request.user)
    return render_to_string("financing/_booking_panel.html", {"financing": summary})


def voucher_financing(sender, *, booking, **kwargs) -> hooks.VoucherFinancing | None:
    """What the plan's lines cover and the person's share; None without a plan (or with an
    empty one). No programme or loan is named: the partner reads the voucher."""
    plan = plan_for(booking=booking)
    lines = list(plan.lines.all()) if plan is not None else []
    if not lines:
        return None
    share = sum((x.amount for x in lines if x.kind == LineKind.BENEFICIARY), Decimal("0.00"))
    covered = sum((x.amount for x in lines if x.kind != LineKind.BENEFICIARY), Decimal("0.00"))
    return hooks.VoucherFinancing(covered=covered, left_to_pay=share)


def export_financing(sender, *, beneficiary, **kwargs) -> dict:
    """The person's export: their grants and loans."""
    return financing_export_rows(beneficiary_id=beneficiary.pk)


def connect() -> None:
    beneficiary_hooks.person_exported.connect(
        export_financing, dispatch_uid="financing.export_financing"
    )
    hooks.places_released.connect(release_grants, dispatch_uid="financing.release_grants")
    hooks.booking_page_panels.connect(plan_panel, dispatch_uid="financing.plan_panel")
    hooks.voucher_financing.connect(voucher_financing, dispatch_uid="financing.voucher")
