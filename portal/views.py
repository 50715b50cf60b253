from django.shortcuts import render

from accounts import permissions
from accounts.need_to_know import DataKind, need_to_know
from portal.home import home_sections


@need_to_know(DataKind.ACCOUNT)
def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "sections": home_sections(request.user),
            "show_mfa": permissions.is_staff_member(request.user),
        },
    )
