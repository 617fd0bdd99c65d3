from odoo import _, models


class OmniBackend(models.Model):
    """An Amazon seller account's first connection, for the setup guide: its Login with
    Amazon credentials and seller, then the connection test. Amazon is pulled, not pushed:
    there are no webhooks to set up."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _omni_setup_steps(self):
        if self.channel != "amazon":
            return super()._omni_setup_steps()
        backend = self.sudo()
        connection = super()._omni_setup_steps()[0]
        credentials = (
            backend.amazon_lwa_client_id
            and backend.amazon_lwa_client_secret
            and backend.amazon_refresh_token
        )
        return [
            self._omni_setup_step(
                "credentials",
                _("Login with Amazon"),
                credentials,
                _(
                    "In Seller Central, Apps and Services ▸ Develop Apps, copy your app's LWA "
                    "client ID and client secret, authorise the app to get a refresh token, and "
                    "paste the three in Channel ▸ Login with Amazon."
                ),
                status=_("Set."),
            ),
            self._omni_setup_step(
                "seller",
                _("Seller and marketplaces"),
                backend.amazon_seller_id and backend.amazon_marketplace_ids,
                _(
                    "In Channel ▸ Seller account, enter the seller ID (merchant token) and the "
                    "marketplace IDs to import, comma-separated (e.g. ATVPDKIKX0DER)."
                ),
                status=backend.amazon_marketplace_ids or "",
            ),
            connection,
        ]
