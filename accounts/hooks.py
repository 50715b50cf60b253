"""Extension points of accounts for the apps above it, which plug into them from their
`AppConfig.ready()` (accounts never imports them). They are Django signals:

- `organisation_renamed(organisation)`: sent after an organisation's new name is saved, in
  the same transaction. Partners refreshes its services' catalogue search text here.
"""

from django.dispatch import Signal

organisation_renamed = Signal()
