"""What the outbox's states, channels and attempts' outcomes are called, wherever a page shows them
(the admin's outbox, the back office's page of a person)."""
from portal.i18n import _
from portal.outbox.models import AttemptOutcome, OutboxChannel, OutboxState

STATE_TITLES = {
    OutboxState.pending: _("Waiting"),
    OutboxState.sent: _("Sent"),
    OutboxState.failed: _("Failed"),
}
CHANNEL_TITLES = {
    OutboxChannel.email: _("E-mail"),
    OutboxChannel.sms: _("SMS"),
}
OUTCOME_TITLES = {
    AttemptOutcome.sent: _("Sent"),
    AttemptOutcome.retry: _("Failed, to be tried again"),
    AttemptOutcome.failed: _("Failed for good"),
}
