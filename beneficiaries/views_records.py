"""The adviser's pages about the people a platform supports (HTML, French): the list, a new
record, the record itself with its journey (eligibility, diagnosis and barriers, action plan,
follow-ups, consents, outcome), its edit form, its history and its export. The writes of
the journey (the diagnosis page and the record page's one-form actions) are in
`beneficiaries.views_record_actions`.

Platform staff only, each page for the roles the need-to-know table lets see what it shows
(others: 403; a finance officer sees identity and contact, not the social record); a person
of another platform is 404. Every page that shows a person gets them through
`privacy.beneficiary_open`, which writes the access log; a form that fails shows the page
again, so that view is logged too. Every write goes through the services of
`beneficiaries.services` and `beneficiaries.journey`. The advisers' active files are in
`beneficiaries.views_caseload`."""

import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.need_to_know import PLATFORM_STAFF as STAFF
from accounts.need_to_know import DataKind, Mode, need_to_know, platforms_where
from accounts.scoping import memberships
from beneficiaries import hooks, journey, permissions, privacy, selectors, services
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
from core.errors import ConflictError, NotFoundError
from core.paging import page_context
from core.web import run_service

# What a new record and its edit form write.
NEW_RECORD = (DataKind.IDENTITY, DataKind.CONTACT, DataKind.SITUATION)
PAGE_SIZE = 25
TEMPLATES = "beneficiaries/records/"
# Timeline entries that carry a day, not a moment.
DAY_KINDS = {"diagnosis", "follow_up", "outcome"}


# --- Access and small helpers ---------------------------------------------------------------


def _open(request, beneficiary_id: int, purpose: str, kind: DataKind = DataKind.IDENTITY):
    """The person, for a page that shows them: scoped, and written in the access log."""
    return privacy.beneficiary_open(
        user=request.user, beneficiary_id=beneficiary_id, purpose=purpose, kind=kind
    )


def _scoped(request, beneficiary_id: int, kind: DataKind = DataKind.IDENTITY):
    """The person, for a write that shows nothing: scoped, not logged (the service audits)."""
    return selectors.beneficiary_get_for(
        user=request.user, beneficiary_id=beneficiary_id, kind=kind, mode=Mode.WRITE
    )


def _platforms(user, kind: DataKind, mode: Mode = Mode.READ) -> list[tuple[int, str]]:
    """(id, name) of the platforms where the user may read (write) this kind of data."""
    where = platforms_where(user, kind, mode)
    seen = {}
    for m in memberships(user):
        if m.organisation_id in where:
            seen.setdefault(m.organisation_id, m.organisation_name)
    return list(seen.items())


def _record_url(beneficiary_id: int, anchor: str = "") -> str:
    url = reverse("beneficiary_detail", kwargs={"beneficiary_id": beneficiary_id})
    return f"{url}#{anchor}" if anchor else url


def _overdue_limit():
    return timezone.now() - timedelta(days=settings.FOLLOW_UP_OVERDUE_DAYS)


def _age(birth_date: date | None, today: date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month,
                                                                       birth_date.day))  # fmt: skip


# --- The list -------------------------------------------------------------------------------


@need_to_know(DataKind.IDENTITY, DataKind.CONTACT, audience=STAFF)
def beneficiary_list(request):
    # The step of the support and the follow-up flag are part of the social record.
    social = platforms_where(request.user, DataKind.SITUATION)
    form = PeopleFilterForm(request.GET or None)
    if not social:
        del form.fields["status"]
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.beneficiary_list_filtered(
        user=request.user,
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        mine=bool(filters.get("mine")),
    )
    paging = page_context(request, people, PAGE_SIZE)
    page = paging["page_obj"]
    rows = list(page.object_list)
    overdue = (
        set(
            journey.overdue_beneficiaries(before=_overdue_limit())
            .filter(pk__in=[b.pk for b in rows], platform_id__in=social)
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
            **paging,
            "title": _("Personnes accompagnées"),
            "form": form,
            "rows": [
                {"person": b, "overdue": b.pk in overdue, "social": b.platform_id in social}
                for b in rows
            ],
            "social": bool(social),
            "can_add": bool(platforms_where(request.user, DataKind.IDENTITY, Mode.WRITE)),
            "count_text": ngettext("%(count)s personne", "%(count)s personnes", count)
            % {"count": count},
            "filtered": bool(filters.get("q") or filters.get("status") or filters.get("mine")),
            "overdue_weeks": settings.FOLLOW_UP_OVERDUE_DAYS // 7,
        },
    )


# --- A new record ---------------------------------------------------------------------------


@need_to_know(*NEW_RECORD, mode=Mode.WRITE, audience=STAFF)
def beneficiary_new(request):
    platforms = _platforms(request.user, DataKind.SITUATION, Mode.WRITE)
    form = BeneficiaryCreateForm(request.POST or None, platforms=platforms)
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
        if organisation is not None:  # a self-referral has no prescriber to share with
            seen.setdefault(organisation.pk, organisation.name)
    return list(seen.items())


def _record_context(beneficiary, user, request=None, **forms) -> dict:
    """The record page: identity and contact, then each part of the social record this user
    may see (the others are not even read)."""
    today = timezone.localdate()
    access = permissions.record_access(user, beneficiary)
    see = access["see"]
    context = {
        "person": beneficiary,
        "closed": beneficiary.status == BeneficiaryStatus.CLOSED,
        "age": _age(beneficiary.birth_date, today),
        "overdue_weeks": settings.FOLLOW_UP_OVERDUE_DAYS // 7,
        **access,
    }
    if request is not None:
        context["actions"] = hooks.actions_for(request=request, beneficiary=beneficiary)
    barriers = list(beneficiary.barriers.all()) if see["diagnosis"] else []
    referrals = (
        list(beneficiary.referrals.select_related("prescriber_organisation"))
        if see["referral"]
        else []
    )
    context["referrals"] = referrals
    if see["situation"]:
        check = beneficiary.eligibility_checks.select_related("checked_by").first()
        context["check"] = check
        context["check_expired"] = check is not None and check.valid_until < today
    if see["diagnosis"]:
        context["diagnosis"] = beneficiary.diagnoses.select_related("author").first()
        context["barriers"] = barriers
        context["open_barriers"] = [b for b in barriers if b.lifted_at is None]
    if see["action_plan"]:
        context["items"] = list(beneficiary.action_items.select_related("barrier").order_by(
            F("done_at").asc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk"
        ))  # fmt: skip
        context["action_form"] = forms.get("action_form") or ActionItemForm(barriers=barriers)
    if see["follow_up"]:
        context["follow_ups"] = list(beneficiary.follow_ups.select_related("author"))
        context["overdue"] = (
            beneficiary.status == BeneficiaryStatus.REINFORCED
            and journey.overdue_beneficiaries(before=_overdue_limit()).filter(pk=beneficiary.pk)
            .exists()
        )  # fmt: skip
        context["follow_up_form"] = forms.get("follow_up_form") or FollowUpForm()
    if see["consent"]:
        context["consents"] = list(beneficiary.consents.select_related("prescriber_organisation"))
        context["consent_form"] = forms.get("consent_form") or ConsentForm(
            prescribers=_prescribers(referrals)
        )
    if see["outcome"]:
        context["outcome"] = getattr(beneficiary, "outcome", None)
        context["outcome_form"] = forms.get("outcome_form") or OutcomeForm()
    return context


def _record_page(request, beneficiary_id: int, *, status: int = 200, **forms):
    beneficiary = _open(request, beneficiary_id, "view")
    return render(
        request,
        TEMPLATES + "beneficiary_detail.html",
        _record_context(beneficiary, request.user, request, **forms),
        status=status,
    )


@need_to_know(DataKind.IDENTITY, DataKind.CONTACT, audience=STAFF)
def beneficiary_detail(request, beneficiary_id: int):
    return _record_page(request, beneficiary_id)


# --- Pages about one person -----------------------------------------------------------------


@need_to_know(*NEW_RECORD, mode=Mode.WRITE, audience=STAFF)
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
        {
            "form": form,
            "beneficiary": beneficiary,
            "duplicates": [],
            **permissions.record_access(request.user, beneficiary),
        },
        status=status,
    )


@need_to_know(*permissions.TIMELINE_KINDS, audience=STAFF)
def beneficiary_timeline(request, beneficiary_id: int):
    beneficiary = _open(request, beneficiary_id, "timeline", DataKind.DIAGNOSIS)
    access = permissions.record_access(request.user, beneficiary)
    if not access["see"]["timeline"]:
        raise NotFoundError(_("Personne introuvable."))
    entries = [
        {"entry": entry, "day_only": entry.kind in DAY_KINDS}
        for entry in selectors.timeline(beneficiary)
    ]
    return render(request, TEMPLATES + "timeline.html",
                  {"person": beneficiary, "entries": entries, **access})  # fmt: skip


@need_to_know(DataKind.EXPORT, DataKind.ACCESS_LOG, audience=STAFF)
def beneficiary_export(request, beneficiary_id: int):
    data = privacy.beneficiary_export(user=request.user, beneficiary_id=beneficiary_id)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"personne-{beneficiary_id}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
