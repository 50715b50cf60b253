"""Extension points of core for the apps above it, which plug into them from their
`AppConfig.ready()` (core never imports them). They are Django signals:

- `sms_consent(phone, user)`: asked before an SMS is written and again before it is sent.
  A receiver that knows the person behind the number (or the account) answers an
  `core.sms_consent.SmsConsent`: whether they agreed to SMS, and an e-mail address to use
  instead; a receiver that does not know them answers None. Beneficiaries answers from the
  person's `sms` consent.
- `sms_opted_out(phone)`: sent after a number answered STOP, in the same transaction.
  Beneficiaries withdraws the SMS consent of the people with that number.
- `transition_recorded(instance, name, from_status, to)`: sent by
  `core.transitions.record_transition`, in the transaction of every recorded change of
  status (a payment, a statement...), once its audit row is written. Exchange turns some of
  them into outgoing webhooks; a receiver that raises rolls the change back.
"""

from django.dispatch import Signal

sms_consent = Signal()
sms_opted_out = Signal()
transition_recorded = Signal()
