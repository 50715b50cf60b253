"""The prescribers' network and the platform's rules (issue 16), for platform admins (who
change them) and advisers (who read them): the network page (referrals by month, the
prescribers gone quiet), adding a prescriber then inviting its members (accounts' team
page), editing organisations, the referral kit (PDF), the eligibility rules."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import OrganisationKind, Role
from accounts.models import Membership, Organisation
from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, may, need_to_know, platforms_where
from accounts.permissions import can_manage_members
from beneficiaries import services_network as services
from beneficiaries.eligibility import policy_for
from beneficiaries.forms_network import EligibilityPolicyForm, OrganisationForm, PrescriberForm
from beneficiaries.kit import referral_kit_pdf, self_referral_url
from beneficiaries.selectors_network import QUIET_DAYS, managed_organisation_for, network_for
from core.errors import PermissionDeniedError
from core.formatting import short_date
from core.web import page_status, run_service, submit

TEMPLATES = "beneficiaries/network/"
NOT_STAFF = _("Ces pages sont réservées aux équipes de la plateforme.")


def _platform(user, kind: DataKind) -> Organisation:
    """The user's platform for these pages (the first, for someone in several)."""
    ids = sorted(platforms_where(user, kind))
    if not ids:
        raise PermissionDeniedError(str(NOT_STAFF))
    return Organisation.objects.get(pk=ids[0])


def _bar(index: int, count: int, peak: int) -> dict:
    """One month of the sparkline (an SVG drawn with attributes: no inline style)."""
    height = round(28 * count / peak)
    return {"count": count, "x": index * 10, "y": 30 - height, "height": height}


@need_to_know(DataKind.NETWORK, audience=PLATFORM_STAFF)
def network(request):
    platform = _platform(request.user, DataKind.NETWORK)
    months, rows = network_for(platform_id=platform.pk)
    peak = max((r.peak for r in rows), default=0) or 1
    return render(request, TEMPLATES + "network.html", {
        "title": _("Réseau des prescripteurs"),
        "platform": platform,
        "months": months,
        "rows": [{"row": r, "bars": [_bar(i, n, peak) for i, n in enumerate(r.counts)],
                  "last": short_date(r.last_referral_at.date()) if r.last_referral_at else ""}
                 for r in rows],
        "quiet_count": sum(1 for r in rows if r.quiet),
        "quiet_days": QUIET_DAYS,
        "can_change": may(request.user, DataKind.NETWORK, Mode.WRITE, organisation=platform),
        "self_referral_url": self_referral_url(platform),
    })  # fmt: skip


@need_to_know(DataKind.NETWORK, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def prescriber_new(request):
    platform = _platform(request.user, DataKind.NETWORK)
    form = PrescriberForm(request.POST or None)
    outcome = submit(request, form, services.prescriber_create, platform_id=platform.pk)
    if outcome is not None and outcome.ok:
        messages.success(request, _("La structure est ajoutée. Invitez maintenant ses membres."))
        return redirect("organisation_members", organisation_id=outcome.value.pk)
    return render(request, TEMPLATES + "organisation_form.html",
                  {"title": _("Ajouter une structure prescriptrice"), "form": form},
                  status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.RULES, mode=Mode.WRITE, audience=PLATFORM_STAFF)
def organisation_edit(request, structure_id: int):
    organisation = managed_organisation_for(user=request.user, organisation_id=structure_id)
    prescriber = organisation.kind == OrganisationKind.PRESCRIBER
    initial = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
    profile = getattr(organisation, "prescriber_profile", None)
    if prescriber and profile is not None:
        initial |= {name: getattr(profile, name) for name in services.PROFILE_FIELDS}
    form_class = PrescriberForm if prescriber else OrganisationForm
    form = form_class(request.POST or None, initial=initial)
    outcome = submit(request, form, services.organisation_details_update,
                     organisation_id=organisation.pk)  # fmt: skip
    if outcome is not None and outcome.ok:
        messages.success(request, _("C'est enregistré."))
        return redirect("network" if prescriber else "rules_edit")
    return render(request, TEMPLATES + "organisation_form.html", {
        "title": _("Modifier : %(name)s") % {"name": organisation.name},
        "form": form, "organisation": organisation,
        "can_invite": can_manage_members(request.user, organisation),
    }, status=page_status(form, outcome))  # fmt: skip


@need_to_know(DataKind.NETWORK, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def organisation_close(request, structure_id: int):
    run_service(
        request, services.organisation_set_active, actor=request.user,
        organisation_id=structure_id, active=False,
        success_message=_("La structure est fermée : elle ne figure plus dans le réseau."),
    )  # fmt: skip
    return redirect("network")


@need_to_know(DataKind.NETWORK, audience=PLATFORM_STAFF)
def referral_kit(request):
    platform = _platform(request.user, DataKind.NETWORK)
    advisers = [
        (m.user.get_full_name(), m.user.email, m.user.phone)
        for m in Membership.objects.filter(
            organisation=platform, role=Role.ADVISER, active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "pk")[:3]
    ]
    response = HttpResponse(referral_kit_pdf(platform, advisers=advisers),
                            content_type="application/pdf")  # fmt: skip
    response["Content-Disposition"] = 'inline; filename="kit-orientation.pdf"'
    return response


@need_to_know(DataKind.RULES, audience=PLATFORM_STAFF)
def rules_edit(request):
    """Admins change the rules; advisers read them (the form is not shown to them)."""
    platform = _platform(request.user, DataKind.RULES)
    can_change = may(request.user, DataKind.RULES, Mode.WRITE, organisation=platform)
    if request.method == "POST" and not can_change:
        raise PermissionDeniedError(_("Seuls les administrateurs changent les règles."))
    policy = policy_for(platform)
    form = EligibilityPolicyForm(request.POST or None, initial={
        "situations": list(policy.situations), "require_project": policy.require_project,
        "min_french_level": policy.min_french_level, "validity_months": policy.validity_months,
    })  # fmt: skip
    outcome = submit(request, form, services.eligibility_policy_update, platform_id=platform.pk)
    if outcome is not None and outcome.ok:
        messages.success(request, _("Les règles sont enregistrées."))
        return redirect("rules_edit")
    return render(request, TEMPLATES + "rules.html", {
        "title": _("Règles de la plateforme"), "form": form, "platform": platform,
        "policy": policy, "can_change": can_change,
    }, status=page_status(form, outcome))  # fmt: skip
