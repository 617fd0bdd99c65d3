from odoo import _, models


class OmniBackend(models.Model):
    """A store chain's first connection, for the setup guide: Odoo's own registers to
    mirror, or an external till system's ways in (signed webhooks, REST pull, files)."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _omni_setup_steps(self):
        if self.channel != "pos":
            return super()._omni_setup_steps()
        backend = self.sudo()
        connection, webhook_secret = super()._omni_setup_steps()
        if backend.pos_source == "odoo":  # Odoo's own POS: no credentials, no webhooks
            return [
                self._omni_setup_step(
                    "registers",
                    _("Registers to mirror"),
                    backend.pos_config_ids,
                    _(
                        "In Channel ▸ Store system, choose the Odoo POS registers whose orders "
                        "and session closings this backend mirrors."
                    ),
                    status=", ".join(backend.pos_config_ids.mapped("name")),
                ),
                connection,
            ]
        webhook_secret["how"] = _(
            "Give the till system the webhook URL %(url)s and a shared secret to sign its "
            "records with (HMAC-SHA256 of the body), and paste the same secret in Connection ▸ "
            "Webhook Secret. Files (CSV / JSON) are imported with Import File.",
            url=backend.webhook_url or _("(known once saved)"),
        )
        return [
            self._omni_setup_step(
                "credentials",
                _("Way in"),
                backend.pos_api_url or backend.webhook_secret,
                _(
                    "Say how the till system sends its records: a POS API URL and key in "
                    "Channel ▸ External POS API for a scheduled pull, or a webhook secret for "
                    "signed pushes (or both)."
                ),
                status=backend.pos_api_url or _("Signed webhooks and file imports."),
            ),
            connection,
            webhook_secret,
        ]
