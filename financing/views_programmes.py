"""Finance pages about grant envelopes (HTML, French): the list, a new envelope, an envelope
with its awards, and the decision on an award. Finance officers and platform admins only;
see `financing.views_common` for access and wording."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.need_to_know import DataKind, Mode, need_to_know
from accounts.selectors import organisation_list_for
from core.errors import get_or_not_found
from core.formatting import euros, percent, percent_text, short_date
from core.transitions import allowed_targets
from core.web import run_service
from financing import selectors, services
from financing.enums import AWARD_TRANSITIONS, AwardStatus
from financing.forms import ProgrammeForm
from financing.views_common import (
    LENDER_KINDS,
    T,
    _finance_platforms,
    bar_width,
    person_text,
)

# The decisions the page offers, among those AWARD_TRANSITIONS allows (cancelling an award
# goes through its booking's financing plan).
AWARD_BUTTONS = {
    AwardStatus.APPROVED: (gettext_lazy("Accorder"), ""),
    AwardStatus.REJECTED: (gettext_lazy("Refuser"), "button-danger"),
    AwardStatus.PAID: (gettext_lazy("Marquer versée"), ""),
}


# --- Programmes and awards ------------------------------------------------------------------


def _programme_row(programme) -> dict:
    budget, committed, paid = programme.budget, programme.committed, programme.paid
    return {
        "programme": programme,
        "budget": euros(budget),
        "committed": euros(committed),
        "paid": euros(paid),
        "to_pay": euros(committed - paid),
        "available": euros(budget - committed),
        "paid_width": bar_width(paid, budget),
        "pending_width": bar_width(committed - paid, budget),
        "committed_percent": percent_text(percent(committed, budget)),
        "paid_percent": percent_text(percent(paid, budget)),
        "cap": euros(programme.per_beneficiary_cap) if programme.per_beneficiary_cap else "",
        "period": (
            _("du %(start)s au %(end)s")
            % {"start": short_date(programme.starts_on), "end": short_date(programme.ends_on)}
            if programme.ends_on
            else _("depuis le %(start)s") % {"start": short_date(programme.starts_on)}
        ),
    }


@need_to_know(DataKind.PROGRAMMES)
def programme_list(request):
    _finance_platforms(request.user)
    programmes = selectors.programme_list_for(user=request.user).order_by("-active", "name")
    return render(
        request,
        T + "programme_list.html",
        {"title": _("Enveloppes d'aides"), "rows": [_programme_row(p) for p in programmes]},
    )


def _programme_form(user, data=None) -> ProgrammeForm:
    platforms = [o for o in organisation_list_for(user=user) if o.pk in _finance_platforms(user)]
    funders = organisation_list_for(user=user).filter(kind__in=LENDER_KINDS).order_by("name")
    return ProgrammeForm(data, platforms=platforms, funders=list(funders),
                         initial={"starts_on": timezone.localdate()})  # fmt: skip


@need_to_know(DataKind.PROGRAMMES, mode=Mode.WRITE)
def programme_new(request):
    form = _programme_form(request.user, request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = run_service(request, services.programme_create, form=form,
            actor=request.user, platform_id=data["platform"],
            funder_id=data["funder"], name=data["name"], budget=data["budget"],
            starts_on=data["starts_on"], ends_on=data["ends_on"],
            per_beneficiary_cap=data["per_beneficiary_cap"],
            eligible_categories=data["eligible_categories"],
            eligible_situations=data["eligible_situations"])  # fmt: skip
        if created.ok:
            programme = created.value
            messages.success(request, _("Enveloppe « %(name)s » créée.") % {"name": programme})
            return redirect("programme_detail", programme_id=programme.pk)
    status = 200
    if request.method == "POST":
        status = created.status if created is not None and not created.ok else 400
    return render(
        request,
        T + "programme_form.html",
        {"title": _("Créer une enveloppe d'aides"), "form": form},
        status=status,
    )


@need_to_know(DataKind.PROGRAMMES)
def programme_detail(request, programme_id: int):
    _finance_platforms(request.user)
    programme = get_or_not_found(
        selectors.programme_list_for(user=request.user), programme_id, _("Enveloppe introuvable.")
    )
    awards = programme.awards.select_related("beneficiary", "booking", "decided_by").order_by(
        "-created_at", "-pk"
    )
    rows = [
        {
            "award": award,
            "person": person_text(award.beneficiary),
            "amount": euros(award.amount),
            "asked": short_date(timezone.localtime(award.created_at).date()),
            "decided": short_date(timezone.localtime(award.decided_at).date())
            if award.decided_at
            else "",
            "buttons": [
                (to, *AWARD_BUTTONS[to])
                for to in allowed_targets(AWARD_TRANSITIONS, award.status)
                if to in AWARD_BUTTONS
            ],
        }
        for award in awards
    ]
    return render(
        request,
        T + "programme_detail.html",
        {"row": _programme_row(programme), "programme": programme, "awards": rows},
    )


@need_to_know(DataKind.PROGRAMMES, mode=Mode.WRITE)
@require_POST
def award_decide(request, programme_id: int, award_id: int):
    _finance_platforms(request.user)
    to = request.POST.get("to", "")
    decided = run_service(request, services.award_decide, actor=request.user, award_id=award_id,
                          to=to)  # fmt: skip
    if decided.ok:
        award = decided.value
        messages.success(request, _("Aide de %(amount)s pour %(person)s : %(status)s.") % {
            "amount": euros(award.amount), "person": person_text(award.beneficiary),
            "status": award.get_status_display().lower()})  # fmt: skip
    return redirect("programme_detail", programme_id=programme_id)
