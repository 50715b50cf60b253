from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts import permissions
from portal.home import home_sections


@login_required
def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "sections": home_sections(request.user),
            "show_mfa": permissions.is_staff_member(request.user),
        },
    )
