"""I/O with the Shopify Admin GraphQL API through the ``ShopifyAPI`` SDK.

The SDK's ``GraphQL().execute`` opens the URL without timeout and does no throttling; this
adapter runs the SDK's request (same endpoint, same headers, from the activated session) with a
timeout and turns every temporary refusal into ``RetryableJobError`` carrying the delay the
shop asked for: HTTP 429 (``Retry-After``), 5xx, timeouts and dropped connections, and the
GraphQL ``THROTTLED`` error (delay from ``extensions.cost.throttleStatus``). It never sleeps:
the job is retried later by queue_job.
"""

import json
import logging
import math
import urllib.error
import urllib.request

import requests
import shopify

from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import OmniError, PayloadError

from .queries import API_VERSION

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30  # seconds
DEFAULT_SERVER_DELAY = 30  # seconds before retrying a 5xx / timeout / dropped connection


class ShopifyConnectionError(OmniError):
    """A permanent refusal (bad token, unknown shop, invalid query): retrying will not help."""

    error_class = "connection"


class _TimedGraphQL(shopify.GraphQL):
    """The SDK's GraphQL client, with a timeout and the HTTP status kept on errors."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def execute(self, query, variables=None, operation_name=None):
        headers = self.merge_headers(
            {"Accept": "application/json", "Content-Type": "application/json"}, self.headers
        )
        data = {"query": query, "variables": variables, "operationName": operation_name}
        request = urllib.request.Request(
            self.endpoint, json.dumps(data).encode("utf-8"), headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read().decode("utf-8")


def throttle_delay(cost, minimum=1):
    """Seconds until the bucket holds the requested cost again."""
    status = (cost or {}).get("throttleStatus") or {}
    requested = (cost or {}).get("requestedQueryCost") or 0
    available = status.get("currentlyAvailable") or 0
    rate = status.get("restoreRate") or 50
    return max(minimum, math.ceil((requested - available) / rate))


class ShopifyAdapter:
    """One shop: ``shop_url`` is the myshopify domain, or a full base URL (``http://host:port``)
    for a sandbox; ``access_token`` an Admin API access token."""

    def __init__(self, shop_url, access_token, api_version=API_VERSION, timeout=DEFAULT_TIMEOUT):
        if not shop_url or not access_token:
            raise ShopifyConnectionError(_lt("the shop URL and the access token are required"))
        self.shop_url = shop_url.strip().rstrip("/")
        self.access_token = access_token
        self.api_version = api_version or API_VERSION
        self.timeout = timeout
        self.last_cost = None

    def _site(self):
        if "://" in self.shop_url:
            base = self.shop_url
        else:
            base = f"https://{self.shop_url}"
        return f"{base}/admin/api/{self.api_version}"

    def execute(self, query, variables=None):
        """Run one document; returns ``data``. Retryable failures raise RetryableJobError."""
        domain = self.shop_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        session = shopify.Session(domain, self.api_version, self.access_token)
        shopify.ShopifyResource.activate_session(session)
        try:
            shopify.ShopifyResource.set_site(self._site())
            raw = _TimedGraphQL(self.timeout).execute(query, variables)
        except urllib.error.HTTPError as err:
            raise self._http_error(err) from None
        except TimeoutError as err:
            raise RetryableJobError(
                f"Shopify did not answer within {self.timeout}s", seconds=DEFAULT_SERVER_DELAY
            ) from err
        except (urllib.error.URLError, ConnectionError, OSError) as err:
            raise RetryableJobError(
                f"connection to Shopify failed: {type(err).__name__}",
                seconds=DEFAULT_SERVER_DELAY,
            ) from err
        finally:
            shopify.ShopifyResource.clear_session()
        try:
            body = json.loads(raw)
        except ValueError:
            raise RetryableJobError(
                "Shopify answered something that is not JSON", seconds=DEFAULT_SERVER_DELAY
            ) from None
        return self._result(body)

    def _http_error(self, err):
        status = err.code
        if status == 429:
            retry_after = err.headers.get("Retry-After") if err.headers else None
            try:
                seconds = max(1, math.ceil(float(retry_after)))
            except (TypeError, ValueError):
                seconds = 2
            # rate limits say "later", not "failed": waiting does not use up the job's attempts
            return RetryableJobError(
                "Shopify answered 429 (rate limited)", seconds=seconds, ignore_retry=True
            )
        if status >= 500:
            return RetryableJobError(
                _lt("Shopify answered %(status)s", status=status), seconds=DEFAULT_SERVER_DELAY
            )
        if status in (401, 403):
            return ShopifyConnectionError(
                f"Shopify refused the access token (HTTP {status}); check the backend's token "
                "and its scopes"
            )
        return ShopifyConnectionError(_lt("Shopify answered HTTP %(status)s", status=status))

    def _result(self, body):
        cost = (body.get("extensions") or {}).get("cost")
        self.last_cost = cost
        errors = body.get("errors")
        if errors:
            if isinstance(errors, str | dict):
                raise ShopifyConnectionError(
                    _lt("Shopify refused the request: %(errors)s", errors=errors)
                )
            codes = {((e.get("extensions") or {}).get("code")) for e in errors}
            if "THROTTLED" in codes:
                raise RetryableJobError(
                    "Shopify throttled the query (cost bucket empty)",
                    seconds=throttle_delay(cost),
                    ignore_retry=True,
                )
            if body.get("data") is None or codes & {
                "GRAPHQL_VALIDATION_FAILED",
                "MAX_COST_EXCEEDED",
                "ACCESS_DENIED",
            }:
                messages = "; ".join(str(e.get("message")) for e in errors)
                raise ShopifyConnectionError(
                    _lt("Shopify refused the query: %(messages)s", messages=messages)
                )
            _logger.warning("Shopify answered with partial errors: %s", errors)
        if not isinstance(body.get("data"), dict):
            raise PayloadError(_lt("Shopify answered without data"))
        return body["data"]


def _base_url(shop_url):
    shop_url = (shop_url or "").strip().rstrip("/")
    return shop_url if "://" in shop_url else f"https://{shop_url}"


def request_client_credentials_token(shop_url, client_id, client_secret, timeout=DEFAULT_TIMEOUT):
    """Client-credentials grant of a Dev Dashboard app: returns (access token, granted scopes,
    lifetime in seconds). Refusals are permanent; 429 / 5xx / network errors retryable."""
    if not shop_url or not client_id or not client_secret:
        raise ShopifyConnectionError(_lt("the shop URL, client id and client secret are required"))
    try:
        response = requests.post(
            f"{_base_url(shop_url)}/admin/oauth/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
            },
            headers={"Accept": "application/json"},
            timeout=timeout,
        )
    except requests.Timeout as err:
        raise RetryableJobError(
            f"Shopify did not answer within {timeout}s", seconds=DEFAULT_SERVER_DELAY
        ) from err
    except requests.RequestException as err:
        raise RetryableJobError(
            f"connection to Shopify failed: {type(err).__name__}", seconds=DEFAULT_SERVER_DELAY
        ) from err
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryableJobError(
            f"Shopify answered {response.status_code} to the token request",
            seconds=DEFAULT_SERVER_DELAY,
        )
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
        # never echo the body: it may repeat the client secret
        error = body.get("error") if isinstance(body, dict) else None
        raise ShopifyConnectionError(
            f"Shopify refused the client credentials (HTTP {response.status_code}"
            f"{', ' + str(error) if error else ''})"
        )
    try:
        lifetime = int(body.get("expires_in") or 0)
    except (TypeError, ValueError):
        lifetime = 0
    return body["access_token"], body.get("scope") or "", lifetime


def download_lines(url, timeout=DEFAULT_TIMEOUT):
    """Stream the lines of a bulk operation's JSONL file (a signed URL: no token sent)."""
    try:
        response = requests.get(url, stream=True, timeout=timeout)
    except requests.RequestException as err:
        raise RetryableJobError(
            f"download of the bulk result failed: {type(err).__name__}",
            seconds=DEFAULT_SERVER_DELAY,
        ) from err
    with response:
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableJobError(
                f"bulk result download answered {response.status_code}",
                seconds=DEFAULT_SERVER_DELAY,
            )
        if response.status_code != 200:
            raise ShopifyConnectionError(
                f"bulk result download answered HTTP {response.status_code} (URL expired?)"
            )
        try:
            yield from response.iter_lines()
        except requests.RequestException as err:
            raise RetryableJobError(
                f"bulk result download broke off: {type(err).__name__}",
                seconds=DEFAULT_SERVER_DELAY,
            ) from err
