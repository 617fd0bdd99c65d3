"""I/O only: the Selling Partner API through ``python-amazon-sp-api``, with timeouts and error
classes.

The library speaks Orders 2026-01-01 (``OrdersV20260101``), Reports 2021-06-30 and Login with
Amazon (``AccessTokenClient``); its endpoint comes from a ``Marketplaces`` member, so each
client here gets the backend's endpoint set after construction (a sandbox on 127.0.0.1 in
tests) and its ``host`` header computed from it. The access token is the backend's, renewed
under a lock by the backend (``token_provider``); the library's own token cache is bypassed.
Throttling (429, paced by ``x-amzn-RateLimit-Limit``), 5xx, timeouts and dropped connections
become queue_job's RetryableJobError; an expired token is renewed once and the call repeated;
other refusals are permanent.
"""

import gzip
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
from sp_api.api import OrdersV20260101, Reports
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, SellingApiException
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.exceptions import get_exception_for_code

from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import OmniError

TIMEOUT_SECONDS = 30
# A region's marketplace standing for it when a client is built (the endpoint is replaced).
_REGION_MARKETPLACES = {"na": Marketplaces.US, "eu": Marketplaces.DE, "fe": Marketplaces.JP}


class AmazonConnectionError(OmniError):
    """Amazon refused us (credentials revoked, missing role, bad request)."""

    error_class = "connection"


def _rate_limit_delay(headers):
    """Seconds until the next request is allowed: 1 / x-amzn-RateLimit-Limit (requests per
    second), at least one second; None when Amazon does not say."""
    try:
        rate = Decimal(str((headers or {}).get("x-amzn-RateLimit-Limit")))
        return max(1, int((1 / rate).to_integral_value(rounding="ROUND_CEILING")))
    except (InvalidOperation, ZeroDivisionError, TypeError, ValueError):
        return None


def _reason(err):
    return getattr(err, "message", None) or str(getattr(err, "error", "")) or type(err).__name__


def _is_expired_token(err):
    return err.code in (401, 403) and "expired" in (_reason(err) or "").lower()


def request_access_token(token_url, client_id, client_secret, refresh_token, timeout=None):
    """Login with Amazon: a refresh-token grant; returns (access token, lifetime seconds)."""
    client = _LwaClient(token_url, refresh_token, client_id, client_secret, timeout)
    try:
        data = client.request_token()
    except AuthorizationError as err:
        raise AmazonConnectionError(
            _lt("Login with Amazon refused the credentials: %(error)s", error=err.message)
        ) from None
    except (httpx.TimeoutException, httpx.TransportError) as err:
        raise RetryableJobError(
            _lt("Login with Amazon unreachable: %(error)s", error=str(err) or type(err).__name__)
        ) from None
    except ValueError:  # not JSON: an outage page
        raise RetryableJobError(_lt("Login with Amazon answered no token")) from None
    finally:
        client.close()
    return data["access_token"], int(data.get("expires_in") or 0)


class _LwaClient(AccessTokenClient):
    """The library's LWA client, at the configured token URL and with a timeout."""

    def __init__(self, token_url, refresh_token, client_id, client_secret, timeout):
        super().__init__(
            refresh_token=refresh_token,
            credentials=SimpleNamespace(
                lwa_app_id=client_id, lwa_client_secret=client_secret, refresh_token=refresh_token
            ),
        )
        self._transport = HttpxTransport(timeout=timeout or TIMEOUT_SECONDS)
        self.token_url = token_url

    def request_token(self):
        if not (self.cred.client_id and self.cred.client_secret and self.cred.refresh_token):
            raise AmazonConnectionError(
                _lt("the backend has no Login with Amazon client id, secret or refresh token")
            )
        return self._request(self.token_url, self.data, self.headers)

    def close(self):
        self._transport.close()


class _BackendEndpoint:
    """Mixin of the library's clients: the backend's endpoint and access token."""

    token_provider = None

    @property
    def headers(self):
        headers = super().headers
        headers["host"] = urlsplit(self.endpoint).netloc
        return headers

    @property
    def auth(self):
        return _Token(self.token_provider())

    def _check_response(self, res, *args, **kwargs):
        # The library returns error answers without an ``errors`` body (an outage page) as
        # if they succeeded: make them errors too.
        if res.status_code >= 400:
            try:
                errors = res.json().get("errors")
            except ValueError:
                errors = None
            raise get_exception_for_code(res.status_code)(
                errors or [{"code": str(res.status_code), "message": res.reason_phrase}],
                headers=res.headers,
            )
        return super()._check_response(res, *args, **kwargs)


class _Token:
    def __init__(self, access_token):
        self.access_token = access_token


class _Orders(_BackendEndpoint, OrdersV20260101):
    pass


class _Reports(_BackendEndpoint, Reports):
    pass


class AmazonAdapter:
    def __init__(self, endpoint, region, token_provider, credentials, timeout=TIMEOUT_SECONDS):
        """``token_provider(force=False)`` returns the access token (a new one when forced);
        ``credentials`` the LWA client id and secret, which the library's clients insist on
        holding although they never use them here (the token is the backend's)."""
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self._token_provider = token_provider
        self._force_token = False
        marketplace = _REGION_MARKETPLACES.get(region, Marketplaces.US)
        self.orders_api = self._client(_Orders, marketplace, credentials)
        self.reports_api = self._client(_Reports, marketplace, credentials)

    def _client(self, cls, marketplace, credentials):
        client = cls(
            marketplace,
            credentials={
                "lwa_app_id": credentials[0] or "-",
                "lwa_client_secret": credentials[1] or "-",
            },
            timeout=self.timeout,
        )
        client.endpoint = self.endpoint
        client.token_provider = self._token
        return client

    def _token(self):
        return self._token_provider(force=self._force_token)

    def close(self):
        self.orders_api.close()
        self.reports_api.close()

    def _call(self, function, *args, **kwargs):
        try:
            try:
                return function(*args, **kwargs)
            except SellingApiException as err:
                if not _is_expired_token(err) or self._force_token:
                    raise
                self._force_token = True  # renew once, then repeat the call
                try:
                    return function(*args, **kwargs)
                finally:
                    self._force_token = False
        except SellingApiException as err:
            if err.code == 429:
                raise RetryableJobError(
                    _lt("Amazon throttled the request: %(error)s", error=_reason(err)),
                    seconds=_rate_limit_delay(err.headers) or 60,
                ) from None
            if err.code >= 500:
                raise RetryableJobError(
                    _lt(
                        "Amazon server error %(status)s: %(error)s",
                        status=err.code,
                        error=_reason(err),
                    )
                ) from None
            raise AmazonConnectionError(
                _lt(
                    "Amazon refused the request (%(status)s): %(error)s",
                    status=err.code,
                    error=_reason(err),
                )
            ) from None
        except (httpx.TimeoutException, httpx.TransportError) as err:
            raise RetryableJobError(
                _lt("Amazon unreachable: %(error)s", error=str(err) or type(err).__name__)
            ) from None

    # ------------------------------------------------------------------ Orders 2026-01-01

    def search_orders(self, marketplace_ids, last_updated_after, page_size=100):
        """Orders updated since ``last_updated_after`` (ISO 8601), page by page; yields
        (order, next page token or None) so a caller can tell where a page ends."""
        params = {
            "marketplaceIds": list(marketplace_ids),
            "lastUpdatedAfter": last_updated_after,
            "maxResultsPerPage": page_size,
            "includedData": ["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES"],
        }
        token = None
        while True:
            page = self._call(
                self.orders_api.search_orders,
                **params,
                **({"paginationToken": token} if token else {}),
            )
            token = page.next_token  # the library lifts pagination.nextToken out of the body
            yield from (page.payload or {}).get("orders") or []
            if not token:
                return

    def get_order(self, order_id):
        page = self._call(self.orders_api.get_order, order_id)
        return (page.payload or {}).get("order")

    # ------------------------------------------------------------------ Reports 2021-06-30

    def reports(self, report_type, marketplace_ids, created_since=None):
        params = {"reportTypes": [report_type], "processingStatuses": ["DONE"], "pageSize": 100}
        if marketplace_ids:
            params["marketplaceIds"] = list(marketplace_ids)
        if created_since:
            params["createdSince"] = created_since
        while True:
            page = self._call(self.reports_api.get_reports, **params)
            yield from (page.payload or {}).get("reports") or []
            token = page.next_token
            if not token:
                return
            params = {"nextToken": token}  # Amazon: nextToken alone on the next calls

    def report_document(self, document_id):
        """The text of a report document: its metadata, then the file at its URL."""
        meta = self._call(self.reports_api.get_report_document, document_id).payload or {}
        try:
            response = httpx.get(meta["url"], timeout=self.timeout)
        except (httpx.TimeoutException, httpx.TransportError) as err:
            raise RetryableJobError(
                _lt(
                    "Amazon report document unreachable: %(error)s",
                    error=str(err) or type(err).__name__,
                )
            ) from None
        if response.status_code >= 500:
            raise RetryableJobError(
                _lt("Amazon report document: server error %(status)s", status=response.status_code)
            )
        if response.status_code >= 400:
            raise AmazonConnectionError(
                _lt("Amazon report document refused (%(status)s)", status=response.status_code)
            )
        content = response.content
        if meta.get("compressionAlgorithm") == "GZIP":
            content = gzip.decompress(content)
        return content.decode("utf-8-sig")
