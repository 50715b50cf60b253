"""Referral pages (HTML, French).

Prescribers send a fiche de repérage, follow the answer and — only where the person agreed —
the support that follows. Platform staff answer from their inbox: accept (linking to a record
already open, or opening one) or refuse with a reason and a reorientation. A signed link in
the prescriber's messages shows the answer without signing in. Each view gets a scoped
object, calls one service, then renders or redirects."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.need_to_know import (
    PLATFORM_STAFF,
    PRESCRIBERS,
    DataKind,
    Mode,
    need_to_know,
    signed_link,
)
from accounts.permissions import is_prescriber
from beneficiaries import eligibility, hooks, selectors, services
from beneficiaries.enums import ReferralStatus
from beneficiaries.forms_referrals import (
    FRENCH_LEVEL_HELP,
    SITUATION_HELP,
    ReferralForm,
    RefuseForm,
)
from beneficiaries.models import Referral
from core.enums import ErrorCode
from core.errors import ConflictError, PermissionDeniedError
from core.paging import page_context
from core.web import run_service

PAGE_SIZE = 50
# Status filters in the address bar (French words), and the tabs they make.
STATUS_SLUGS = {
    "en-attente": ReferralStatus.SUBMITTED,
    "acceptees": ReferralStatus.ACCEPTED,
    "refusees": ReferralStatus.REFUSED,
    "expirees": ReferralStatus.EXPIRED,
    "retirees": ReferralStatus.WITHDRAWN,
}
TAB_LABELS = {
    ReferralStatus.SUBMITTED: gettext_lazy("En attente de réponse"),
    ReferralStatus.ACCEPTED: gettext_lazy("Acceptées"),
    ReferralStatus.REFUSED: gettext_lazy("Refusées"),
    ReferralStatus.EXPIRED: gettext_lazy("Expirées"),
    ReferralStatus.WITHDRAWN: gettext_lazy("Retirées"),
}
# What each status means for the prescriber, in plain words.
STATUS_EXPLAINED = {
    ReferralStatus.SUBMITTED: gettext_lazy(
        "La plateforme n'a pas encore répondu. Vous recevrez un message dès qu'elle aura répondu."
    ),
    ReferralStatus.ACCEPTED: gettext_lazy(
        "La plateforme accompagne la personne. Un conseiller ou une conseillère mobilité va la "
        "contacter pour un premier rendez-vous : le diagnostic mobilité."
    ),
    ReferralStatus.REFUSED: gettext_lazy("La plateforme ne peut pas accompagner la personne."),
    ReferralStatus.EXPIRED: gettext_lazy(
        "La plateforme n'a pas répondu à temps. Vous pouvez la contacter ou envoyer une "
        "nouvelle orientation."
    ),
    ReferralStatus.WITHDRAWN: gettext_lazy("Vous avez retiré cette orientation."),
}

STAFF_EXPLAINED = {
    ReferralStatus.EXPIRED: gettext_lazy(
        "Sans réponse à temps, l'orientation a expiré. Le prescripteur a été prévenu."
    ),
    ReferralStatus.WITHDRAWN: gettext_lazy("Le prescripteur a retiré cette orientation."),
}


# --- Helpers --------------------------------------------------------------------------------


def _status_filter(request, default: str | None, *, allow_all: bool) -> str | None:
    slug = request.GET.get("statut")
    if slug == "toutes" and allow_all:
        return None
    return STATUS_SLUGS.get(slug, default)


def _tabs(counts: dict, current: str | None, *, with_all: bool) -> list[dict]:
    slug_of = {status: slug for slug, status in STATUS_SLUGS.items()}
    tabs = []
    if with_all:
        tabs.append(
            {"label": _("Toutes"), "slug": "toutes", "count": sum(counts.values()),
             "current": current is None}
        )  # fmt: skip
    for status in ReferralStatus.values:
        tabs.append(
            {"label": TAB_LABELS[status], "slug": slug_of[status],
             "count": counts.get(status, 0), "current": current == status}
        )  # fmt: skip
    return tabs


def _status_counts(referrals) -> dict:
    rows = referrals.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def waiting_days(referral: Referral, today=None) -> int:
    today = today or timezone.localdate()
    return (today - timezone.localtime(referral.created_at).date()).days


def beneficiary_url(beneficiary) -> str | None:
    """The person's record, once that page exists."""
    if beneficiary is None:
        return None
    try:
        return reverse("beneficiary_detail", kwargs={"beneficiary_id": beneficiary.pk})
    except NoReverseMatch:
        return None


def _detail_title(referral: Referral) -> str:
    name = f"{referral.first_name} {referral.last_name}"
    return _("Orientation de %(name)s") % {"name": name}


def _answer_context(referral: Referral) -> dict:
    return {
        "referral": referral,
        "status_explained": STATUS_EXPLAINED[referral.status],
        "is_answered": referral.status != ReferralStatus.SUBMITTED,
    }


# --- Prescribers ----------------------------------------------------------------------------


@need_to_know(DataKind.REFERRAL, mode=Mode.WRITE, audience=PRESCRIBERS)
def referral_new(request):
    form = ReferralForm(request.POST or None, user=request.user)
    if not form.organisations:
        raise PermissionDeniedError(_("Votre compte n'est rattaché à aucun prescripteur."))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            sent = run_service(
                request, services.referral_submit, form=form, actor=request.user,
                prescriber_organisation=form.organisation(), **form.referral_fields(),
                success_message=_("Orientation envoyée à la plateforme. Vous recevrez un "
                                  "message dès qu'elle aura répondu."),
            )  # fmt: skip
            if sent.ok:
                return redirect("referral_detail_prescriber", referral_id=sent.value.pk)
            status = sent.status
    return render(
        request,
        "beneficiaries/referrals/new.html",
        {"title": _("Orienter une personne"), "form": form},
        status=status,
    )


@need_to_know(DataKind.REFERRAL, audience=PRESCRIBERS)
def referral_list_prescriber(request):
    status = _status_filter(request, None, allow_all=True)
    counts = _status_counts(selectors.referral_list_for_prescriber(user=request.user))
    referrals = selectors.referral_list_for_prescriber(user=request.user, status=status)
    paging = page_context(request, referrals.select_related("prescriber"), PAGE_SIZE)
    page = paging["page_obj"]
    return render(
        request,
        "beneficiaries/referrals/prescriber_list.html",
        {
            **paging,
            "title": _("Mes orientations"),
            "rows": list(page.object_list),
            "filtered": bool(status),
            "tabs": _tabs(counts, status, with_all=True),
            "status": status,
            "several_organisations": len({r.prescriber_organisation_id for r in page}) > 1,
        },
    )


@need_to_know(DataKind.REFERRAL, audience=PRESCRIBERS)
def referral_detail_prescriber(request, referral_id: int):
    referral = selectors.referral_get_for_prescriber(user=request.user, referral_id=referral_id)
    follow_up = selectors.prescriber_follow_up(user=request.user, referral=referral)
    return render(
        request,
        "beneficiaries/referrals/prescriber_detail.html",
        {
            **_answer_context(referral),
            "title": _detail_title(referral),
            "follow_up": follow_up,
            "show_follow_up_note": True,
            "can_withdraw": referral.status == ReferralStatus.SUBMITTED,
        },
    )


@need_to_know(DataKind.REFERRAL, mode=Mode.WRITE, audience=PRESCRIBERS)
@require_POST
def referral_withdraw(request, referral_id: int):
    referral = selectors.referral_get_for_prescriber(user=request.user, referral_id=referral_id)
    run_service(
        request, services.referral_withdraw, actor=request.user, referral_id=referral.pk,
        success_message=_("Orientation retirée : la plateforme ne la traitera pas."),
    )  # fmt: skip
    return redirect("referral_detail_prescriber", referral_id=referral.pk)


@signed_link(DataKind.REFERRAL, DataKind.SHARED_FOLLOW_UP, link_for=PRESCRIBERS)
@never_cache
def referral_status_link(request, token: str):
    """The link in the prescriber's messages: the answer for anyone holding it; the
    follow-up only for the prescriber who sent the referral, signed in, with consent."""
    referral = services.referral_from_token(token)
    user = request.user
    is_sender = user.is_authenticated and referral.prescriber_id == user.pk
    follow_up = selectors.prescriber_follow_up(user=user, referral=referral) if is_sender else None
    can_open_detail = user.is_authenticated and is_prescriber(
        user, referral.prescriber_organisation_id
    )
    return render(
        request,
        "beneficiaries/referrals/status_link.html",
        {
            **_answer_context(referral),
            "person": f"{referral.first_name} {referral.last_name[:1]}.",
            "follow_up": follow_up,
            "show_follow_up_note": is_sender,
            "detail_url": (
                reverse("referral_detail_prescriber", kwargs={"referral_id": referral.pk})
                if can_open_detail
                else None
            ),
        },
    )


# --- Platform staff -------------------------------------------------------------------------


@need_to_know(DataKind.REFERRAL, audience=PLATFORM_STAFF)
def referral_inbox(request):
    status = _status_filter(request, ReferralStatus.SUBMITTED, allow_all=False)
    counts = _status_counts(selectors.referral_inbox_for(user=request.user, status=None))
    referrals = selectors.referral_inbox_for(user=request.user, status=status)
    paging = page_context(request, referrals, PAGE_SIZE)
    page = paging["page_obj"]
    today = timezone.localdate()
    waiting = status == ReferralStatus.SUBMITTED
    rows = []
    for referral in page.object_list:
        days = waiting_days(referral, today)
        rows.append(
            {"referral": referral, "days": days,
             "late": waiting and days > settings.REFERRAL_REMIND_DAYS,
             "actions": hooks.actions_for(request=request, referral=referral)}
        )  # fmt: skip
    return render(
        request,
        "beneficiaries/referrals/inbox.html",
        {
            **paging,
            "title": _("Orientations reçues"),
            "filtered": not waiting,
            "rows": rows,
            "tabs": _tabs(counts, status, with_all=False),
            "status": status,
            "waiting": waiting,
            "remind_days": settings.REFERRAL_REMIND_DAYS,
            "tab_label": TAB_LABELS[status],
        },
    )


def _staff_page(request, referral, *, refuse_form=None, duplicates=None, status=200):
    policy = eligibility.policy_for(referral.platform)
    rules = eligibility.evaluate(
        policy,
        situation=referral.situation,
        project_defined=bool(referral.professional_project),
        french_level=referral.french_level,
    )
    return render(
        request,
        "beneficiaries/referrals/staff_detail.html",
        {
            **_answer_context(referral),
            "title": _detail_title(referral),
            "status_explained": STAFF_EXPLAINED.get(referral.status, ""),
            "rules": rules,
            "eligible": all(rule.met for rule in rules),
            "situation_help": SITUATION_HELP.get(referral.situation, ""),
            "french_level_help": FRENCH_LEVEL_HELP.get(referral.french_level, ""),
            "days": waiting_days(referral),
            "refuse_form": refuse_form or RefuseForm(),
            "duplicates": duplicates,
            "beneficiary_url": beneficiary_url(referral.beneficiary),
            "actions": hooks.actions_for(request=request, referral=referral),
        },
        status=status,
    )


@need_to_know(DataKind.REFERRAL, audience=PLATFORM_STAFF)
def referral_detail_staff(request, referral_id: int):
    referral = selectors.referral_get_for_staff(user=request.user, referral_id=referral_id)
    return _staff_page(request, referral)


@need_to_know(DataKind.REFERRAL, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def referral_accept(request, referral_id: int):
    user = request.user
    referral = selectors.referral_get_for_staff(user=user, referral_id=referral_id)
    raw_id = request.POST.get("beneficiary_id", "")
    beneficiary_id = int(raw_id) if raw_id.isdigit() else None
    try:
        accepted = run_service(
            request, services.referral_accept, reraise_codes=(ErrorCode.DUPLICATE_BENEFICIARY,),
            actor=user, referral_id=referral.pk, beneficiary_id=beneficiary_id,
            create_anyway=request.POST.get("create_anyway") == "1",
        )  # fmt: skip
    except ConflictError as exc:  # possible duplicates: listed for the adviser to choose
        duplicates = selectors.beneficiary_list_for(user=user).filter(
            pk__in=getattr(exc, "duplicate_ids", [])
        )
        return _staff_page(request, referral, duplicates=list(duplicates), status=409)
    if not accepted.ok:
        return redirect("referral_detail_staff", referral_id=referral.pk)
    referral = accepted.value
    name = f"{referral.beneficiary.first_name} {referral.beneficiary.last_name}"
    if beneficiary_id is not None:
        text = _("Orientation acceptée et rattachée au dossier de %(name)s.")
    else:
        text = _("Orientation acceptée : le dossier de %(name)s est ouvert.")
    messages.success(request, text % {"name": name} + " " + _("Le prescripteur est prévenu."))
    return redirect(beneficiary_url(referral.beneficiary) or reverse("referral_inbox"))


@need_to_know(DataKind.REFERRAL, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def referral_refuse(request, referral_id: int):
    referral = selectors.referral_get_for_staff(user=request.user, referral_id=referral_id)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        return _staff_page(request, referral, refuse_form=form, status=400)
    # A refusal is a message: the referral has moved on and its page has no form for it.
    refused = run_service(
        request, services.referral_refuse, actor=request.user, referral_id=referral.pk,
        reason=form.cleaned_data["reason"], reorientation=form.reorientation(),
        success_message=_("Orientation refusée. Le prescripteur est prévenu."),
    )  # fmt: skip
    if not refused.ok:
        return redirect("referral_detail_staff", referral_id=referral.pk)
    return redirect("referral_inbox")
