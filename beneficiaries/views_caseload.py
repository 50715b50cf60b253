"""The advisers' active files against the norm (HTML, French), mounted at
/personnes/file-active/: counts only, for the roles the need-to-know table lets see them."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.need_to_know import PLATFORM_STAFF, DataKind, need_to_know
from beneficiaries import selectors
from beneficiaries.views_records import TEMPLATES, _platforms


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


@need_to_know(DataKind.CASELOAD, audience=PLATFORM_STAFF)
def caseload(request):
    blocks = [
        {
            "platform": name,
            "rows": [_load_text(row) for row in selectors.caseload_for(platform_id=platform_id)],
        }
        for platform_id, name in _platforms(request.user, DataKind.CASELOAD)
    ]
    return render(
        request,
        TEMPLATES + "caseload.html",
        {"blocks": blocks, "norm": settings.CASELOAD_NORM},
    )
