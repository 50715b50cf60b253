"""What partners plugs into the apps below it (`accounts.hooks`), connected by
`PartnersConfig.ready()`: a partner's name is part of its services' catalogue search text,
so renaming its organisation refreshes that text."""

from accounts import hooks
from partners.services import services_search_text_refresh


def refresh_search_text(sender, *, organisation, **kwargs) -> None:
    services_search_text_refresh(organisation_id=organisation.pk)


def connect() -> None:
    hooks.organisation_renamed.connect(refresh_search_text, dispatch_uid="partners.search_text")
