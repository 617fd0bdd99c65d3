from datetime import timedelta

from odoo import _, fields, models

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP

from ..const import (
    EVENT_HANDLERS,
    LOCK_RETRY_DELAY,
    LWA_TOKEN_URL,
    REGION_ENDPOINTS,
    TOKEN_LIFETIME,
    TOKEN_REFRESH_MARGIN,
)
from ..tools.adapter import AmazonAdapter, request_access_token
from ..tools.parser import parse_order, parse_settlement


class OmniBackend(models.Model):
    """Amazon (Selling Partner API) as an Omni backend: connection, access token and the
    processing of events. The pulls live in ``omni_backend_pull.py``."""

    _inherit = "omni.backend"

    channel = fields.Selection(selection_add=[("amazon", "Amazon")], ondelete={"amazon": "cascade"})
    amazon_lwa_client_id = fields.Char(string="LWA Client ID", groups=MANAGER_GROUP, copy=False)
    amazon_lwa_client_secret = fields.Char(
        string="LWA Client Secret", groups=MANAGER_GROUP, copy=False
    )
    amazon_refresh_token = fields.Char(
        string="Refresh Token",
        groups=MANAGER_GROUP,
        copy=False,
        help="The seller's authorisation of the application (Seller Central, Apps and "
        "Services, or the OAuth website workflow).",
    )
    amazon_access_token = fields.Char(groups=MANAGER_GROUP, copy=False, readonly=True)
    amazon_token_expires_at = fields.Datetime(
        string="Access Token Expires At",
        groups=MANAGER_GROUP,
        copy=False,
        readonly=True,
        help="Login with Amazon access tokens last an hour; renewed a few minutes before.",
    )
    amazon_region = fields.Selection(
        [("na", "North America"), ("eu", "Europe"), ("fe", "Far East")],
        string="Region",
        default="na",
        required=True,
    )
    amazon_endpoint = fields.Char(
        string="SP-API Endpoint",
        help="Leave empty for the region's endpoint; only set for tests and sandboxes.",
    )
    amazon_lwa_token_url = fields.Char(
        string="LWA Token URL",
        default=LWA_TOKEN_URL,
        help="Only changed for tests and sandboxes.",
    )
    amazon_import_since = fields.Datetime(
        string="Import Orders Since",
        help="Where the first pull of orders starts (the last update Amazon gave them); "
        "later pulls continue from the last one.",
    )
    amazon_seller_id = fields.Char(string="Seller ID", help="Merchant token of the seller.")
    amazon_marketplace_ids = fields.Char(
        string="Marketplace IDs",
        help="Comma-separated marketplace ids whose orders are pulled (ATVPDKIKX0DER: "
        "amazon.com, A1PA6795UKMFR9: amazon.de...).",
    )

    # ------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------

    def _amazon_marketplaces(self):
        self.ensure_one()
        return [m.strip() for m in (self.amazon_marketplace_ids or "").split(",") if m.strip()]

    def _amazon_adapter(self):
        self.ensure_one()
        backend = self.sudo()
        return AmazonAdapter(
            self.amazon_endpoint or REGION_ENDPOINTS[self.amazon_region],
            self.amazon_region,
            self._amazon_access_token,
            (backend.amazon_lwa_client_id, backend.amazon_lwa_client_secret),
        )

    def _amazon_access_token(self, force=False):
        """The access token to call the SP-API with, renewed before it expires (or now,
        ``force``: Amazon said it expired)."""
        self.ensure_one()
        backend = self.sudo()
        expires_at = backend.amazon_token_expires_at
        if (
            not force
            and backend.amazon_access_token
            and expires_at
            and expires_at - TOKEN_REFRESH_MARGIN > fields.Datetime.now()
        ):
            return backend.amazon_access_token
        return backend._amazon_refresh_access_token()

    def _amazon_refresh_access_token(self):
        """Refresh-token grant under a lock: one renewal per backend at a time. A job finding
        the lock taken retries shortly (and then finds the new token)."""
        self.ensure_one()
        self._omni_lock_token_renewal(retry_seconds=LOCK_RETRY_DELAY)
        backend = self.sudo()
        now = fields.Datetime.now()
        token, lifetime = request_access_token(
            backend.amazon_lwa_token_url or LWA_TOKEN_URL,
            backend.amazon_lwa_client_id,
            backend.amazon_lwa_client_secret,
            backend.amazon_refresh_token,
        )
        backend.write(
            {
                "amazon_access_token": token,
                "amazon_token_expires_at": now + timedelta(seconds=lifetime or TOKEN_LIFETIME),
            }
        )
        return token

    def _omni_default_gateways(self):
        gateways = super()._omni_default_gateways()
        if self.channel == "amazon":
            return {"amazon": ("Amazon", "processor", "AMZN")}
        return gateways

    def _omni_settlement_gateway(self):
        if self.channel == "amazon":
            return "amazon"
        return super()._omni_settlement_gateway()

    def _omni_test_connection(self):
        if self.channel != "amazon":
            return super()._omni_test_connection()
        adapter = self._amazon_adapter()
        try:
            since = fields.Datetime.now() - timedelta(days=1)
            orders = adapter.search_orders(
                self._amazon_marketplaces(), since.strftime("%Y-%m-%dT%H:%M:%SZ"), page_size=1
            )
            next(orders, None)
        finally:
            adapter.close()
        return _(
            "Connected to Amazon (%(region)s), marketplaces %(marketplaces)s.",
            region=dict(self._fields["amazon_region"]._description_selection(self.env))[
                self.amazon_region
            ],
            marketplaces=", ".join(self._amazon_marketplaces()) or _("none"),
        )

    # ------------------------------------------------------------------------------------
    # Processing: one handler per topic (const.EVENT_HANDLERS)
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "amazon":
            return super()._omni_process_event(event)
        handler = EVENT_HANDLERS.get(event.topic)
        if not handler:
            return {"result_note": _("Amazon event type %(type)s is not used.", type=event.topic)}
        return getattr(self, handler)(event)

    def _amazon_process_order(self, event):
        return self.env["omni.importer"].import_order(self, parse_order(event._payload_json()))

    def _amazon_process_settlement(self, event):
        """A settlement report (its text as payload) becomes a payout with its rows. Booking
        waits for the shared settlement booking."""
        record = self.env["omni.importer"].import_payout(self, parse_settlement(event.payload))
        return {"omni_payout_id": record.id}
