"""Extension points of beneficiaries for the apps above it, which plug into them from their
`AppConfig.ready()` (beneficiaries never imports them). They are Django signals:

- `referral_answered(referral)`: sent inside the transaction of the platform's answer to a
  referral (accepted or refused), after the referral is saved. A receiver writes in that
  same transaction (exchange writes its outgoing webhooks to its outbox here); if it
  raises, the answer rolls back.
"""

from django.dispatch import Signal

referral_answered = Signal()
