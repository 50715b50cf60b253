"""The adviser's pages about the people a platform supports (HTML, French): the list, a new
record, the record itself with its journey (eligibility, diagnosis and barriers, action plan,
follow-ups, consents, outcome), its edit form, its history, its export, and the advisers'
active files. The writes of the journey (the diagnosis page and the record page's one-form
actions) are in `beneficiaries.views_record_actions`.

Platform staff only (others: 403); a person of another platform is 404. Every page that shows
a person gets them through `privacy.beneficiary_open`, which writes the access log; a form
that fails shows the page again, so that view is logged too. Every write goes through the
services of `beneficiaries.services` and `beneficiaries.journey`."""

import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import permissions as account_permissions
from accounts.enums import PLATFORM_ROLES, OrganisationKind
from accounts.scoping import memberships
from beneficiaries import journey, privacy, selectors, services
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.forms_records import (
    ActionItemForm,
    BeneficiaryCreateForm,
    BeneficiaryForm,
    ConsentForm,
    FollowUpForm,
    OutcomeForm,
    PeopleFilterForm,
)
from core.enums import ErrorCode
from core.errors import ConflictError, PermissionDeniedError
from core.web import run_service

PAGE_SIZE = 25
TEMPLATES = "beneficiaries/records/"
# Timeline entries that carry a day, not a moment.
DAY_KINDS = {"diagnosis", "follow_up", "outcome"}


# --- Access and small helpers ---------------------------------------------------------------


def _ensure_staff(user) -> None:
    if not account_permissions.is_platform_staff(user):
        raise PermissionDeniedError(
            _("Ces pages sont réservées aux équipes de la plateforme de mobilité.")
        )


def _open(request, beneficiary_id: int, purpose: str):
    """The person, for a page that shows them: scoped, and written in the access log."""
    _ensure_staff(request.user)
    return privacy.beneficiary_open(
        user=request.user, beneficiary_id=beneficiary_id, purpose=purpose
    )


def _scoped(request, beneficiary_id: int):
    """The person, for a write that shows nothing: scoped, not logged (the service audits)."""
    _ensure_staff(request.user)
    return selectors.beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)


def _platforms(user) -> list[tuple[int, str]]:
    seen = {}
    for m in memberships(user):
        if m.organisation_kind == OrganisationKind.PLATFORM and m.role in PLATFORM_ROLES:
            seen.setdefault(m.organisation_id, m.organisation_name)
    return list(seen.items())


def _record_url(beneficiary_id: int, anchor: str = "") -> str:
    url = reverse("beneficiary_detail", kwargs={"beneficiary_id": beneficiary_id})
    return f"{url}#{anchor}" if anchor else url


def _overdue_limit():
    return timezone.now() - timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS)


def _phone_display(phone: str) -> str:
    """+33612345678 reads 06 12 34 56 78; other numbers stay as stored."""
    if len(phone) == 12 and phone.startswith("+33"):
        digits = "0" + phone[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return phone


def _age(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month,
                                                                       birth_date.day))  # fmt: skip


# --- The list -------------------------------------------------------------------------------


@login_required
def beneficiary_list(request):
    _ensure_staff(request.user)
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.beneficiary_list_filtered(
        user=request.user,
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        mine=bool(filters.get("mine")),
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    overdue = (
        set(
            journey.overdue_beneficiaries(before=_overdue_limit())
            .filter(pk__in=[b.pk for b in rows])
            .values_list("pk", flat=True)
        )
        if rows
        else set()
    )
    count = page.paginator.count
    return render(
        request,
        TEMPLATES + "beneficiary_list.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),  # fmt: skip
            "rows": [{"person": b, "overdue": b.pk in overdue} for b in rows],
            "count_text": ngettext("%(count)s personne", "%(count)s personnes", count)
            % {"count": count},
            "filtered": bool(filters.get("q") or filters.get("status") or filters.get("mine")),
            "overdue_weeks": settings.FOLLOW_UP_OVERDUE_DAYS // 7,
        },
    )


# --- A new record ---------------------------------------------------------------------------


@login_required
def beneficiary_new(request):
    _ensure_staff(request.user)
    form = BeneficiaryCreateForm(request.POST or None, platforms=_platforms(request.user))
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        platform_id = data.pop("platform")
        create_anyway = request.POST.get("create_anyway") == "on"
        try:
            created = run_service(
                request, services.beneficiary_create, form=form,
                reraise_codes=(ErrorCode.DUPLICATE_BENEFICIARY,), actor=request.user,
                platform_id=platform_id, create_anyway=create_anyway, **data,
            )  # fmt: skip
        except ConflictError as exc:  # possible duplicates: listed for the adviser to choose
            duplicates = list(
                selectors.beneficiary_list_for(user=request.user).filter(
                    pk__in=getattr(exc, "duplicate_ids", [])
                )
            )
            if not duplicates:  # the same person, on a platform this user cannot see
                form.add_error(None, exc.message)
            status = 409
        else:
            if created.ok:
                messages.success(
                    request, _("La fiche de %(name)s est créée.") % {"name": created.value}
                )
                return redirect(_record_url(created.value.pk))
            status = created.status
    else:
        status = 400 if form.errors else 200
    return render(
        request,
        TEMPLATES + "beneficiary_form.html",
        {"form": form, "beneficiary": None, "duplicates": duplicates},
        status=status,
    )


# --- The record -----------------------------------------------------------------------------


def _prescribers(referrals) -> list[tuple[int, str]]:
    seen = {}
    for referral in referrals:
        organisation = referral.prescriber_organisation
        seen.setdefault(organisation.pk, organisation.name)
    return list(seen.items())


def _record_context(beneficiary, **forms) -> dict:
    today = timezone.localdate()
    barriers = list(beneficiary.barriers.all())
    referrals = list(beneficiary.referrals.select_related("prescriber_organisation"))
    prescribers = _prescribers(referrals)
    check = beneficiary.eligibility_checks.select_related("checked_by").first()
    outcome = getattr(beneficiary, "outcome", None)
    items = beneficiary.action_items.select_related("barrier").order_by(
        F("done_at").asc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk"
    )
    overdue = (
        beneficiary.status == BeneficiaryStatus.REINFORCED
        and journey.overdue_beneficiaries(before=_overdue_limit()).filter(pk=beneficiary.pk)
        .exists()
    )  # fmt: skip
    return {
        "person": beneficiary,
        "closed": beneficiary.status == BeneficiaryStatus.CLOSED,
        "age": _age(beneficiary.birth_date, today),
        "phone_display": _phone_display(beneficiary.phone),
        "check": check,
        "check_expired": check is not None and check.valid_until < today,
        "diagnosis": beneficiary.diagnoses.select_related("author").first(),
        "barriers": barriers,
        "open_barriers": [b for b in barriers if b.lifted_at is None],
        "items": list(items),
        "follow_ups": list(beneficiary.follow_ups.select_related("author")),
        "overdue": overdue,
        "overdue_weeks": settings.FOLLOW_UP_OVERDUE_DAYS // 7,
        "consents": list(beneficiary.consents.select_related("prescriber_organisation")),
        "referrals": referrals,
        "outcome": outcome,
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "action_form": forms.get("action_form") or ActionItemForm(barriers=barriers),
        "consent_form": forms.get("consent_form") or ConsentForm(prescribers=prescribers),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
    }


def _record_page(request, beneficiary_id: int, *, status: int = 200, **forms):
    beneficiary = _open(request, beneficiary_id, "view")
    return render(
        request,
        TEMPLATES + "beneficiary_detail.html",
        _record_context(beneficiary, **forms),
        status=status,
    )


@login_required
def beneficiary_detail(request, beneficiary_id: int):
    return _record_page(request, beneficiary_id)


# --- Pages about one person -----------------------------------------------------------------


@login_required
def beneficiary_edit(request, beneficiary_id: int):
    if request.method == "POST":
        beneficiary = _scoped(request, beneficiary_id)
        form = BeneficiaryForm(request.POST, instance=beneficiary)
        status = 400
        if form.is_valid():
            saved = run_service(
                request, services.beneficiary_update, form=form, actor=request.user,
                beneficiary_id=beneficiary.pk, success_message=_("La fiche est enregistrée."),
                **form.cleaned_data,
            )  # fmt: skip
            if saved.ok:
                return redirect(_record_url(beneficiary.pk))
            status = saved.status
        beneficiary = _open(request, beneficiary_id, "edit")
    else:
        beneficiary = _open(request, beneficiary_id, "edit")
        form = BeneficiaryForm(instance=beneficiary)
        status = 200
    return render(
        request,
        TEMPLATES + "beneficiary_form.html",
        {"form": form, "beneficiary": beneficiary, "duplicates": []},
        status=status,
    )


@login_required
def beneficiary_timeline(request, beneficiary_id: int):
    beneficiary = _open(request, beneficiary_id, "timeline")
    entries = [
        {"entry": entry, "day_only": entry.kind in DAY_KINDS}
        for entry in selectors.timeline(beneficiary)
    ]
    return render(request, TEMPLATES + "timeline.html", {"person": beneficiary, "entries": entries})


@login_required
def beneficiary_export(request, beneficiary_id: int):
    _ensure_staff(request.user)
    data = privacy.beneficiary_export(user=request.user, beneficiary_id=beneficiary_id)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"personne-{beneficiary_id}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Active files ---------------------------------------------------------------------------


def _load_text(row) -> dict:
    percent = row.load_percent
    if row.active > row.norm:
        state, level = _("Au-dessus de la norme : la file active est trop chargée."), "over"
    elif row.active >= row.norm * 0.9:
        state, level = _("Proche de la norme."), "near"
    else:
        room = row.norm - row.active
        state = ngettext(
            "Il reste de la place pour %(count)s personne.",
            "Il reste de la place pour %(count)s personnes.",
            room,
        ) % {"count": room}
        level = "ok"
    return {
        "row": row,
        "percent": percent,
        "meter_value": min(row.active, row.norm),
        "level": level,
        "state": state,
        "summary": ngettext(
            "%(active)s personne suivie sur une norme de %(norm)s, soit %(percent)s %%.",
            "%(active)s personnes suivies sur une norme de %(norm)s, soit %(percent)s %%.",
            row.active,
        )
        % {"active": row.active, "norm": row.norm, "percent": percent},
        "reinforced": ngettext(
            "dont %(count)s en accompagnement renforcé",
            "dont %(count)s en accompagnement renforcé",
            row.reinforced,
        )
        % {"count": row.reinforced},
    }


@login_required
def caseload(request):
    _ensure_staff(request.user)
    blocks = [
        {
            "platform": name,
            "rows": [_load_text(row) for row in selectors.caseload_for(platform_id=platform_id)],
        }
        for platform_id, name in _platforms(request.user)
    ]
    return render(
        request,
        TEMPLATES + "caseload.html",
        {"blocks": blocks, "norm": settings.CASELOAD_NORM},
    )
