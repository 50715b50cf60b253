from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import InvitationAcceptForm, InvitationForm
from accounts.models import Invitation, Membership
from accounts.need_to_know import DataKind, Mode, need_to_know
from core.web import page_status, run_service, submit


@need_to_know(DataKind.MEMBERS)
def organisation_list(request):
    organisations = selectors.managed_organisations_for(user=request.user)
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


@need_to_know(DataKind.MEMBERS)
def organisation_members(request, organisation_id: int):
    organisation = selectors.organisation_get_for_management(
        user=request.user, organisation_id=organisation_id
    )
    form = InvitationForm(request.POST or None, organisation=organisation)
    sent = submit(request, form, services.invitation_create, organisation=organisation)
    if sent and sent.ok:
        messages.success(
            request, _("Invitation envoyée à %(email)s.") % {"email": sent.value.email}
        )
        return redirect("organisation_members", organisation_id=organisation.pk)
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "members": selectors.member_list(organisation=organisation),
            "invitations": selectors.pending_invitation_list(organisation=organisation),
            "form": form,
        },
        status=page_status(form, sent),
    )


@need_to_know(DataKind.MEMBERS, mode=Mode.WRITE)
@require_POST
def invitation_revoke(request, organisation_id: int, invitation_id: int):
    organisation = selectors.organisation_get_for_management(
        user=request.user, organisation_id=organisation_id
    )
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    services.invitation_revoke(invitation_id=invitation.pk, actor=request.user)
    messages.success(request, _("Invitation annulée."))
    return redirect("organisation_members", organisation_id=organisation.pk)


@need_to_know(DataKind.MEMBERS, mode=Mode.WRITE)
@require_POST
def membership_revoke(request, organisation_id: int, membership_id: int):
    organisation = selectors.organisation_get_for_management(
        user=request.user, organisation_id=organisation_id
    )
    membership = get_object_or_404(
        Membership, pk=membership_id, organisation=organisation, active=True
    )
    services.membership_revoke(membership_id=membership.pk, actor=request.user)
    messages.success(request, _("%(email)s a été retiré·e.") % {"email": membership.user.email})
    return redirect("organisation_members", organisation_id=organisation.pk)


def invitation_accept(request, token: str):
    invitation = services.invitation_from_token(token)  # errors render as a French page
    signed_in = request.user.is_authenticated
    form = None if signed_in else InvitationAcceptForm(request.POST or None, email=invitation.email)
    accepted = None
    if request.method == "POST" and (signed_in or form.is_valid()):
        fields = (
            {}
            if signed_in
            else {
                "first_name": form.cleaned_data["first_name"],
                "last_name": form.cleaned_data["last_name"],
                "password": form.cleaned_data["password1"],
            }
        )
        accepted = run_service(
            request,
            services.invitation_accept,
            form=form,
            token=token,
            user=request.user if signed_in else None,
            **fields,
        )
        if accepted.ok:
            invitation, user = accepted.value
            if not signed_in:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Bienvenue ! Vous avez rejoint %(organisation)s.")
                % {"organisation": invitation.organisation.name},
            )
            return redirect("home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=page_status(form, accepted),
    )
