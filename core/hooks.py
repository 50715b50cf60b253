"""Extension points of core for the apps above it, which plug into them from their
`AppConfig.ready()` (core never imports them). They are Django signals:

- `sms_consent(phone, user)`: asked before an SMS is written and again before it is sent.
  A receiver that knows the person behind the number (or the account) answers an
  `core.sms_consent.SmsConsent`: whether they agreed to SMS, and an e-mail address to use
  instead; a receiver that does not know them answers None. Beneficiaries answers from the
  person's `sms` consent.
- `sms_opted_out(phone)`: sent after a number answered STOP, in the same transaction.
  Beneficiaries withdraws the SMS consent of the people with that number.
"""

from django.dispatch import Signal

sms_consent = Signal()
sms_opted_out = Signal()
