from odoo import _, models


class OmniBackend(models.Model):
    """A Shopify shop's first connection, for the setup guide: credentials, scopes, the
    webhooks' secret and subscriptions."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def _omni_setup_steps(self):
        if self.channel != "shopify":
            return super()._omni_setup_steps()
        backend = self.sudo()
        client_credentials = backend.shopify_auth_method == "client_credentials"
        credentials = backend.shopify_shop_url and (
            backend.shopify_client_id and backend.shopify_client_secret
            if client_credentials
            else backend.shopify_access_token
        )
        connection, webhook_secret = super()._omni_setup_steps()
        missing = backend._shopify_missing_scopes()
        status = backend.shopify_webhook_status or ""
        steps = [
            self._omni_setup_step(
                "credentials",
                _("Shop and credentials"),
                credentials,
                _(
                    "In Channel ▸ Shopify shop, enter the shop's domain (example.myshopify.com), "
                    "then the Client ID and Client Secret of your Dev Dashboard app (its "
                    "Settings page)."
                )
                if client_credentials
                else _(
                    "In Channel ▸ Shopify shop, enter the shop's domain (example.myshopify.com) "
                    "and the Admin API access token of the shop's custom app (Shopify admin ▸ "
                    "Settings ▸ Apps and sales channels ▸ Develop apps ▸ your app ▸ API "
                    "credentials; shown once, when the app is installed)."
                ),
                status=backend.shopify_shop_url or "",
            ),
            connection,
            self._omni_setup_step(
                "scopes",
                _("Access scopes"),
                backend.state == "connected" and not missing,
                _(
                    "The app lacks these access scopes: %(scopes)s. Grant them in the app's "
                    "configuration (Admin API access scopes), install the new version, then "
                    "test the connection again.",
                    scopes=", ".join(missing),
                )
                if backend.state == "connected"
                else _("Known once the connection test passes."),
                status=_("Every scope the connector needs is granted."),
            ),
            webhook_secret,
            self._omni_setup_step(
                "webhooks",
                _("Webhook subscriptions"),
                status and "\n" not in status,
                _("Press Register / check webhooks (Channel ▸ Synchronisation): %(status)s")
                % {"status": status}
                if status
                else _(
                    "Press Register / check webhooks (Channel ▸ Synchronisation): the shop then "
                    "sends its orders, refunds and returns as they happen."
                ),
                status=status,
            ),
        ]
        # Shopify signs webhooks with the app's client secret: say so where the secret goes.
        steps[3]["how"] = _(
            "Shopify signs webhooks with the app's client secret (API secret key): paste it "
            "in Connection ▸ Webhook Secret, or every webhook is refused."
        )
        return steps
