import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.models.omni_backend import MANAGER_GROUP
from odoo.addons.omni_connector_base.models.omni_importer_master_data import ProductRef
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import (
    MappingError,
    PayloadError,
    SignatureError,
)
from odoo.addons.omni_connector_base.tools.payload import load_json

from ..const import (
    HMAC_HEADER,
    JOB_LABELS,
    LOCK_RETRY_DELAY,
    PAGE_SIZE,
    PRODUCT_TOPIC,
    REQUIRED_SCOPES,
    SHOP_DOMAIN_HEADER,
    TOKEN_LIFETIME,
    TOKEN_REFRESH_MARGIN,
    TOPIC_HANDLERS,
    TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
)
from ..tools import queries
from ..tools.adapter import (
    ShopifyAdapter,
    ShopifyConnectionError,
    request_client_credentials_token,
)
from ..tools.parser_master_data import (
    parse_customer_graphql,
    parse_product_graphql,
    parse_product_rest,
)
from ..tools.shapes import gid_tail, rest_id


def _header(headers, name):
    """Case-insensitive header lookup (WSGI servers and proxies differ in spelling)."""
    lowered = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == lowered:
            return value
    return None


class OmniBackend(models.Model):
    """A Shopify shop as an Omni backend (core): its connection and token, its webhooks
    verified and stored, and each event handed to its topic's handler (const.TOPIC_HANDLERS).
    Orders and returns, pulls, payouts, subscriptions and stock are in omni_backend_*.py."""

    _inherit = "omni.backend"

    channel = fields.Selection(
        selection_add=[("shopify", "Shopify")], ondelete={"shopify": "cascade"}
    )
    shopify_shop_url = fields.Char(
        string="Shop Domain",
        help="The shop's myshopify domain (example.myshopify.com); a full URL "
        "(http://127.0.0.1:PORT) only for sandboxes.",
    )
    shopify_api_version = fields.Char(
        string="Admin API Version", default=queries.API_VERSION, required=True
    )
    state = fields.Selection(
        selection_add=[("disconnected", "Disconnected")],
        ondelete={"disconnected": "set default"},
    )
    shopify_auth_method = fields.Selection(
        [
            ("token", "Admin API access token"),
            ("client_credentials", "Dev Dashboard app (client credentials)"),
        ],
        string="Authentication",
        default="token",
        required=True,
    )
    shopify_access_token = fields.Char(
        string="Admin API Access Token", groups=MANAGER_GROUP, copy=False
    )
    shopify_client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP, copy=False)
    shopify_client_secret = fields.Char(string="Client Secret", groups=MANAGER_GROUP, copy=False)
    shopify_token_expires_at = fields.Datetime(
        string="Token Expires At",
        groups=MANAGER_GROUP,
        copy=False,
        readonly=True,
        help="Expiry of the token obtained with the client credentials; it is renewed "
        "automatically a few minutes before.",
    )
    shopify_myshopify_domain = fields.Char(
        string="Verified Shop Domain",
        readonly=True,
        copy=False,
        help="The shop's myshopify domain as the shop reported it at the last connection "
        "test; webhooks signed for any other shop are refused.",
    )
    shopify_granted_scopes = fields.Char(string="Granted Scopes", readonly=True, copy=False)
    shopify_webhook_status = fields.Text(string="Webhook Subscriptions", readonly=True, copy=False)
    shopify_page_size = fields.Integer(
        string="Orders per Request",
        default=2,
        help="Orders fetched per GraphQL request; each detailed order costs about 450 points "
        "of the 1000-point single-query limit.",
    )

    # ------------------------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------------------------

    def _shopify_adapter(self):
        self.ensure_one()
        return ShopifyAdapter(
            self.shopify_shop_url,
            self._shopify_access_token(),
            self.shopify_api_version or queries.API_VERSION,
        )

    def _shopify_access_token(self):
        """The token to call the Admin API with: the stored Admin API token, or for a Dev
        Dashboard app the client-credentials token, renewed before it expires."""
        self.ensure_one()
        backend = self.sudo()
        if backend.shopify_auth_method != "client_credentials":
            return backend.shopify_access_token
        expires_at = backend.shopify_token_expires_at
        if (
            backend.shopify_access_token
            and expires_at
            and (expires_at - TOKEN_REFRESH_MARGIN > fields.Datetime.now())
        ):
            return backend.shopify_access_token
        return backend._shopify_refresh_token()

    def _shopify_refresh_token(self):
        """Client-credentials grant under a lock: one refresh per backend at a time. A job
        finding the lock taken retries shortly (and then finds the new token)."""
        self.ensure_one()
        self._omni_lock_token_renewal(retry_seconds=LOCK_RETRY_DELAY)
        backend = self.sudo()
        now = fields.Datetime.now()
        token, scopes, lifetime = request_client_credentials_token(
            backend.shopify_shop_url, backend.shopify_client_id, backend.shopify_client_secret
        )
        backend.write(
            {
                "shopify_access_token": token,
                # no lifetime announced: treat it as short-lived
                "shopify_token_expires_at": now + timedelta(seconds=lifetime or TOKEN_LIFETIME),
                "shopify_granted_scopes": ", ".join(sorted(filter(None, scopes.split(","))))
                or backend.shopify_granted_scopes,
            }
        )
        return token

    def _shopify_missing_scopes(self):
        """The scopes the connector needs that the last connection test did not find granted
        (``write_x`` grants ``read_x``); all of them before any test."""
        granted = {s.strip() for s in (self.shopify_granted_scopes or "").split(",")} - {""}
        covered = granted | {
            "read_" + g[len("write_") :] for g in granted if g.startswith("write_")
        }
        return [scope for scope in REQUIRED_SCOPES if scope not in covered]

    def _omni_test_connection(self):
        if self.channel != "shopify":
            return super()._omni_test_connection()
        try:
            data = self._shopify_adapter().execute(queries.SHOP_SCOPES_QUERY)
        except RetryableJobError as err:  # a user is waiting: report it, do not retry
            raise ShopifyConnectionError(
                _("Shopify is not available now: %(error)s", error=err)
            ) from None
        shop = data["shop"]
        domain = (shop.get("myshopifyDomain") or "").lower() or False
        other = self._omni_account_clash(self._shopify_shop_domain(reported=domain))
        if other:
            raise ShopifyConnectionError(
                _(
                    "Shop %(shop)s is already served by backend %(other)s of this company: "
                    "archive one of them (the shop's orders would be imported twice).",
                    shop=domain,
                    other=other.name,
                )
            )
        self.shopify_myshopify_domain = domain
        granted = sorted(
            scope["handle"]
            for scope in (data.get("currentAppInstallation") or {}).get("accessScopes") or []
        )
        self.shopify_granted_scopes = ", ".join(granted)
        missing = self._shopify_missing_scopes()
        message = _(
            "Connected to %(name)s (%(domain)s): plan %(plan)s, currency %(currency)s. "
            "Granted scopes: %(scopes)s.",
            name=shop["name"],
            domain=shop["myshopifyDomain"],
            plan=shop["plan"]["publicDisplayName"],
            currency=shop["currencyCode"],
            scopes=", ".join(granted) or _("none"),
        )
        if missing:
            message += " " + _("Missing scopes: %(scopes)s.", scopes=", ".join(missing))
        return message

    # ------------------------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------------------------

    def _omni_webhook_verify(self, raw_body, headers):
        if self.channel != "shopify":
            return super()._omni_webhook_verify(raw_body, headers)
        secret = self._omni_webhook_secret()
        if not secret:
            raise SignatureError(_("no webhook secret configured"))
        given = _header(headers, HMAC_HEADER) or ""
        if not given:
            raise SignatureError(_("missing %(header)s header", header=HMAC_HEADER))
        expected = base64.b64encode(
            hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected.encode(), given.strip().encode()):
            raise SignatureError(_("HMAC mismatch"))
        # An app's secret signs the webhooks of every shop it is installed on: the signature
        # alone does not say the delivery is this backend's shop.
        domain = (_header(headers, SHOP_DOMAIN_HEADER) or "").strip().lower()
        expected_domain = self._shopify_shop_domain()
        if not expected_domain:
            raise SignatureError(
                _("the shop domain of backend %(backend)s is unknown", backend=self.name)
            )
        if domain != expected_domain:
            raise SignatureError(
                _(
                    "webhook of shop %(domain)r, not of %(expected)s",
                    domain=domain,
                    expected=expected_domain,
                )
            )

    def _shopify_shop_domain(self, reported=None):
        """The myshopify domain webhooks of this backend come from: the shop domain entered,
        or for a sandbox URL the domain the shop reported (at the connection test, or
        ``reported`` now)."""
        self.ensure_one()
        url = (self.shopify_shop_url or "").strip().lower()
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
        if host.endswith(".myshopify.com"):
            return host
        return (reported if reported is not None else self.shopify_myshopify_domain) or ""

    def _omni_account_key(self):
        if self.channel != "shopify":
            return super()._omni_account_key()
        return self._shopify_shop_domain()

    @api.constrains("shopify_shop_url", "shopify_myshopify_domain", "active", "company_id")
    def _check_one_backend_per_shop(self):
        for backend in self.filtered(lambda b: b.channel == "shopify" and b.active):
            other = backend._omni_account_clash(backend._omni_account_key())
            if other:
                raise ValidationError(
                    _(
                        "Shop %(shop)s is already served by backend %(other)s of this company: "
                        "archive one of them (the shop's orders would be imported twice).",
                        shop=backend._omni_account_key(),
                        other=other.name,
                    )
                )

    def _omni_webhook_events(self, raw_body, headers):
        if self.channel != "shopify":
            return super()._omni_webhook_events(raw_body, headers)
        topic = (_header(headers, TOPIC_HEADER) or "").strip()
        if not topic:
            raise PayloadError(_("webhook without %(header)s header", header=TOPIC_HEADER))
        data = load_json(raw_body, "Shopify webhook body")
        if not isinstance(data, dict):
            raise PayloadError(_("payload is not a JSON object"))
        if isinstance(data.get("order_edit"), dict):
            external_id = gid_tail(data["order_edit"].get("order_id"), "order_edit order_id")
        elif data.get("id") or data.get("admin_graphql_api_id"):
            external_id = rest_id(data, topic)
        else:
            external_id = ""
        # one event per delivery: Shopify resends a webhook under the same id
        return [
            self._omni_event_vals(
                topic,
                raw_body,
                external_id,
                event_id=_header(headers, WEBHOOK_ID_HEADER),
                updated_at=parse_iso(data.get("updated_at"), "updated_at"),
            )
        ]

    # ------------------------------------------------------------------------------------
    # Processing: one handler per topic family (const.TOPIC_HANDLERS)
    # ------------------------------------------------------------------------------------

    def _omni_process_event(self, event):
        if self.channel != "shopify":
            return super()._omni_process_event(event)
        handler = TOPIC_HANDLERS.get(event.topic)
        if not handler:
            raise PayloadError(_("Shopify topic %(topic)r is not handled", topic=event.topic))
        return getattr(self, handler)(event, event._payload_json())

    def _shopify_handle_product(self, event, data):
        """products/update only reports unknown variants; the product pull (which reads every
        variant) applies the backend's governance to them."""
        if event.topic == PRODUCT_TOPIC:
            return self._shopify_match_variants(parse_product_rest(data), strict=False)
        return self._shopify_match_variants(parse_product_graphql(data), strict=True)

    def _shopify_handle_customer(self, event, data):
        partner = self.env["omni.importer"]._match_partner(self, parse_customer_graphql(data))
        return {"result_note": _("Customer bound to %(partner)s", partner=partner.display_name)}

    def _shopify_match_variants(self, variants, strict):
        """Bind each variant to the Odoo product its SKU (else barcode) designates now; an
        ambiguous SKU is a mapping error. ``strict`` (the product pull) applies the backend's
        governance to unknown variants: create them where allowed, else a mapping error;
        otherwise (products/update) they are only reported."""
        importer = self.env["omni.importer"]
        Binding = self.env["omni.external.id"]
        bound = Binding._lookup(self, "product", {v["external_id"] for v in variants})
        refs = {
            variant["external_id"]: ProductRef(variant["sku"], variant["barcode"], variant["name"])
            for variant in variants
        }
        # the importer's governance: SKU -> barcode -> create where the backend allows it
        found, ambiguous = importer._products_by_code(self, refs.values())
        if strict and self.create_products:
            missing = [ref for ref in refs.values() if ref not in found and ref not in ambiguous]
            found.update(importer._create_products([ref for ref in missing if ref.key]))
        rebound, unchanged, unknown, problems = 0, 0, [], []
        for variant in variants:
            ref = refs[variant["external_id"]]
            product = found.get(ref)
            if ref in ambiguous:
                problems.append(ambiguous[ref])
            elif not product:
                unknown.append(variant["sku"] or variant["barcode"] or variant["external_id"])
            elif bound.get(variant["external_id"]) == product:
                unchanged += 1
            else:
                Binding._bind(self, "product", variant["external_id"], product)
                rebound += 1
        if strict and unknown:
            problems.append(
                _(
                    "no Odoo product for %(refs)s and backend %(backend)s may not create products",
                    refs=", ".join(unknown),
                    backend=self.name,
                )
            )
        if problems:
            raise MappingError(
                _("Cannot map the product's variants: %(problems)s.", problems="; ".join(problems)),
                "product",
            )
        note = _(
            "%(rebound)s variant(s) bound, %(same)s unchanged", rebound=rebound, same=unchanged
        )
        if unknown:
            note += "; " + _("no Odoo product for %(refs)s", refs=", ".join(unknown))
        return {"result_note": note}

    def _shopify_handle_uninstalled(self, event, data):
        """app/uninstalled: the token is dead. Mark the backend disconnected (crons skip it)
        and tell its responsible, once per uninstall."""
        if self.state == "disconnected":
            return {"result_note": _("Already marked disconnected.")}
        message = _(
            "The app was uninstalled from the shop: its token no longer works. Reinstall the "
            "app, update the credentials and test the connection."
        )
        self.write(
            {
                "state": "disconnected",
                "connection_message": message,
                "connection_checked_at": fields.Datetime.now(),
            }
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(self.responsible_user_id or self.env.ref("base.user_admin")).id,
            summary=_("Shopify app uninstalled from %(backend)s", backend=self.name),
            note=message,
        )
        return {"result_note": message}

    # ------------------------------------------------------------------------------------
    # Jobs: buttons, crons and continuations only enqueue
    # ------------------------------------------------------------------------------------

    def _shopify_enqueue(self, method, *args, eta=None, max_retries=None, **kwargs):
        """Queue the job ``method(*args, **kwargs)`` of each backend on its job channel (an
        identical job still pending is not queued twice)."""
        options = {"eta": eta}
        if max_retries:
            options["max_retries"] = max_retries
        for backend in self:
            description = _(
                "Shopify: %(job)s (%(backend)s)", job=JOB_LABELS[method], backend=backend.name
            )
            if args:
                description += ": " + ", ".join(
                    str(getattr(arg, "display_name", arg)) for arg in args
                )
            getattr(backend._omni_delay(description, **options), method)(*args, **kwargs)
        return True

    @api.model
    def _shopify_active_backends(self):
        return self.search(
            [
                ("channel", "=", "shopify"),
                ("shopify_shop_url", "!=", False),
                ("state", "!=", "disconnected"),
            ]
        )

    def _shopify_pages(self, adapter, query, path, variables=None, page_size=PAGE_SIZE):
        """Every node of a paginated connection (``path``: keys down to it), page by page."""
        after = None
        while True:
            data = adapter.execute(query, {**(variables or {}), "first": page_size, "after": after})
            for key in path:
                data = (data or {}).get(key)
            if data is None:
                return
            yield from data["nodes"]
            if not data["pageInfo"]["hasNextPage"]:
                return
            after = data["pageInfo"]["endCursor"]
