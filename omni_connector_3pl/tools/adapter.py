"""ShipBob Developer API 2026-01 over ``requests`` (I/O only, no Odoo records).

Bearer personal access token; every call has a timeout. Throttling (429, with ShipBob's
``Retry-After``), 5xx, timeouts and dropped connections raise queue_job's RetryableJobError;
other refusals (4xx) raise :class:`ShipBobError` with ShipBob's own words, never the request
(its headers carry the token).
"""

import json
from urllib.parse import urljoin

import requests

from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import OmniError, PayloadError
from odoo.addons.omni_connector_base.tools.payload import excerpt

from ..const import SHIPBOB_API, SHIPBOB_DEFAULT_DELAY, SHIPBOB_TIMEOUT


class ShipBobError(OmniError):
    """ShipBob refused the request (token, validation, state): retrying will not help."""

    error_class = "connection"

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.status = status
        self.body = body


class ShipBobAdapter:
    def __init__(self, endpoint, token, channel_id=None, timeout=SHIPBOB_TIMEOUT, session=None):
        self.endpoint = (endpoint or "").rstrip("/")
        self.token = token or ""
        self.channel_id = channel_id
        self.timeout = timeout
        self.session = session or requests.Session()

    def close(self):
        self.session.close()

    def _call(self, method, path, params=None, body=None):
        if not self.endpoint:
            raise ShipBobError(_lt("no ShipBob endpoint configured"))
        if not self.token:
            raise ShipBobError(_lt("no ShipBob personal access token configured"))
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if self.channel_id:
            headers["shipbob_channel_id"] = str(self.channel_id)
        url = path if path.startswith("http") else f"{self.endpoint}{path}"
        try:
            response = self.session.request(
                method, url, params=params, json=body, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            raise RetryableJobError(
                _lt("ShipBob timed out (%(method)s %(path)s)", method=method, path=path),
                seconds=SHIPBOB_DEFAULT_DELAY,
            ) from None
        except requests.ConnectionError as err:
            raise RetryableJobError(
                _lt("ShipBob unreachable (%(kind)s)", kind=type(err).__name__),
                seconds=SHIPBOB_DEFAULT_DELAY,
            ) from None
        status = response.status_code
        if status == 429:
            raise RetryableJobError(
                _lt("ShipBob rate limit on %(path)s", path=path),
                seconds=_retry_after(response) or SHIPBOB_DEFAULT_DELAY,
            )
        if status >= 500:
            raise RetryableJobError(
                _lt("ShipBob server error %(status)s on %(path)s", status=status, path=path),
                seconds=_retry_after(response) or SHIPBOB_DEFAULT_DELAY,
            )
        data = None
        if response.content:
            try:
                data = response.json()
            except ValueError:
                if status < 400:
                    raise PayloadError(
                        _lt("ShipBob %(path)s: the answer is not JSON", path=path)
                    ) from None
        if status >= 400:
            raise ShipBobError(
                _lt(
                    "ShipBob refused %(method)s %(path)s with HTTP %(status)s: %(detail)s",
                    method=method,
                    path=path,
                    status=status,
                    detail=excerpt(json.dumps(data) if data is not None else response.reason, 500),
                ),
                status=status,
                body=data,
            )
        return data

    # ------------------------------------------------------------------ orders
    def orders_by_reference(self, reference_ids):
        data = self._call(
            "GET", f"{SHIPBOB_API}/order", params={"ReferenceIds": ",".join(reference_ids)}
        )
        return data if isinstance(data, list) else []

    def orders_by_id(self, order_ids):
        data = self._call(
            "GET",
            f"{SHIPBOB_API}/order",
            params={"IDs": ",".join(str(i) for i in order_ids), "Limit": len(order_ids)},
        )
        return data if isinstance(data, list) else []

    def create_order(self, order):
        return self._call("POST", f"{SHIPBOB_API}/order", body=order)

    def cancel_order(self, order_id):
        return self._call("POST", f"{SHIPBOB_API}/order/{int(order_id)}:cancel")

    def get_order(self, order_id):
        return self._call("GET", f"{SHIPBOB_API}/order/{int(order_id)}")

    def get_shipment(self, shipment_id):
        return self._call("GET", f"{SHIPBOB_API}/shipment/{int(shipment_id)}")

    # ------------------------------------------------------------------ inventory, places
    def fulfillment_centers(self):
        return self._call("GET", f"{SHIPBOB_API}/fulfillment-center") or []

    def inventory_by_location(self, page_size=250):
        """Items with their quantities per fulfilment centre, page after page."""
        url, params, seen = (
            f"{SHIPBOB_API}/inventory-level/locations",
            {"PageSize": page_size},
            set(),
        )
        while url:
            page = self._call("GET", url, params=params) or {}
            if not isinstance(page, dict) or not isinstance(page.get("items") or [], list):
                raise PayloadError(_lt("ShipBob inventory levels: not a page of items"))
            yield from page.get("items") or []
            seen.add(url)
            url, params = page.get("next"), None
            if url and not url.startswith("http"):
                url = urljoin(f"{self.endpoint}/", url.lstrip("/"))
            if url in seen:  # a server looping on its cursor must not loop the job
                raise PayloadError(_lt("ShipBob inventory levels: the next page repeats"))

    # ------------------------------------------------------------------ webhooks
    def webhooks(self):
        data = self._call("GET", f"{SHIPBOB_API}/webhook") or {}
        return data.get("items") or []

    def subscribe(self, url, topics, secret, description):
        body = {"url": url, "topics": list(topics), "secret": secret, "description": description}
        return self._call("POST", f"{SHIPBOB_API}/webhook", body=body)

    def unsubscribe(self, subscription_id):
        return self._call("DELETE", f"{SHIPBOB_API}/webhook/{subscription_id}")


def _retry_after(response):
    value = (response.headers.get("Retry-After") or "").strip()
    return int(value) if value.isdigit() else None
