"""partners.hooks: the apps above partners add panels to a partner's dashboard (bookings adds
the private calendar feed)."""

import pytest
from django.urls import reverse
from django.utils.html import format_html

from partners import hooks
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_panels_of_other_apps(client, partner_manager, partner_org):
    partner = PartnerFactory(organisation=partner_org)
    asked = []

    def panel(sender, *, partner, request, **kwargs):
        asked.append((partner.pk, request.user.pk))
        return format_html('<section id="test-panel">Panneau de {}</section>', partner.name)

    def nothing(sender, **kwargs):
        return ""

    hooks.dashboard_panels.connect(panel, dispatch_uid="tests.panel")
    hooks.dashboard_panels.connect(nothing, dispatch_uid="tests.nothing")
    try:
        client.force_login(partner_manager)
        page = client.get(reverse("partner_dashboard", args=[partner.pk])).content.decode()
    finally:
        hooks.dashboard_panels.disconnect(dispatch_uid="tests.panel")
        hooks.dashboard_panels.disconnect(dispatch_uid="tests.nothing")

    assert asked == [(partner.pk, partner_manager.pk)]
    assert f'<section id="test-panel">Panneau de {partner.name}</section>' in page
    # Bookings' own panel, registered first, is still there and comes before.
    assert page.index('id="feed-title"') < page.index('id="test-panel"')
