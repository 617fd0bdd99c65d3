from odoo import _, models

from ..const import BALANCE_TRANSACTION_TOPIC, EVENT_HANDLERS, PAYOUT_TOPIC

# The Stripe events the connector handles (the pulled topics are its own names).
WEBHOOK_EVENTS = [t for t in EVENT_HANDLERS if t not in (PAYOUT_TOPIC, BALANCE_TRANSACTION_TOPIC)]


class OmniBackend(models.Model):
    """A Stripe account's first connection, for the setup guide: the key, the journal its
    movements are booked in, the webhook endpoint and its signing secret."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _omni_setup_steps(self):
        if self.channel != "stripe":
            return super()._omni_setup_steps()
        backend = self.sudo()
        connection, webhook_secret = super()._omni_setup_steps()
        webhook_secret["how"] = _(
            "In Stripe's dashboard, Developers ▸ Webhooks ▸ Add endpoint: URL %(url)s, "
            "events %(events)s; then paste its signing secret (whsec_…) in Connection ▸ "
            "Webhook Secret.",
            url=backend.webhook_url or _("the webhook URL (known once saved)"),
            events=", ".join(WEBHOOK_EVENTS),
        )
        return [
            self._omni_setup_step(
                "credentials",
                _("Secret key"),
                backend.stripe_secret_key,
                _(
                    "In Stripe's dashboard, Developers ▸ API keys ▸ Create restricted key with "
                    "read access to Balance, Balance transactions, Charges, Disputes and "
                    "Payouts; paste it (rk_…) in Channel ▸ Stripe account ▸ Secret Key."
                ),
                status=_("Set."),
            ),
            connection,
            self._omni_setup_step(
                "journal",
                _("Stripe journal"),
                backend.stripe_journal_id,
                _(
                    "Choose the journal Stripe's balance is booked in (Channel ▸ Accounting ▸ "
                    "Stripe Journal) and the fee and dispute accounts below it."
                ),
                status=backend.stripe_journal_id.display_name or "",
            ),
            webhook_secret,
        ]
