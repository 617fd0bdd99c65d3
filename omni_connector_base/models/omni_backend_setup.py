from odoo import _, models


class OmniBackend(models.Model):
    """The steps of a backend's first connection, for the setup guide
    (``omni.backend.setup.wizard``): connectors add their own (credentials, scopes,
    webhooks registered...) with ``_omni_setup_steps`` for their channel."""

    _inherit = "omni.backend"

    def _omni_setup_step(self, key, label, done, how, status=""):
        """One step: ``how`` says what to do, in words, while it is not ``done``."""
        return {"key": key, "label": label, "done": bool(done), "how": how, "status": status}

    def _omni_setup_steps(self):
        """The steps every channel shares: the connection test passes, webhooks are signed.
        Read as superuser: only whether a secret is set is said, never the secret."""
        self.ensure_one()
        backend = self.sudo()
        if backend.state == "connected":
            how = ""
        elif backend.state == "error":
            how = _(
                "The last connection test failed: %(error)s Correct what it names, then test "
                "again.",
                error=backend.connection_message or "",
            )
        else:
            how = _(
                "Press Test Connection: Odoo reaches the channel with the credentials above "
                "and says what it found."
            )
        return [
            self._omni_setup_step(
                "connection",
                _("Connection test"),
                backend.state == "connected",
                how,
                status=backend.connection_message or "",
            ),
            self._omni_setup_step(
                "webhook_secret",
                _("Webhook signing secret"),
                backend.webhook_secret,
                _(
                    "In %(channel)s, send the webhooks to %(url)s and paste the secret they "
                    "are signed with in Connection ▸ Webhook Secret: without it every webhook "
                    "is refused.",
                    channel=backend._omni_channel_label(),
                    url=backend.webhook_url or _("the webhook URL (known once saved)"),
                ),
                status=_("Set: webhooks are verified and accepted."),
            ),
        ]
