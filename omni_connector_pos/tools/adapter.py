"""HTTP adapter of a POS API that serves the feed contract (I/O only, no Odoo records).

``GET <base>/v1/records?since=<ISO>&cursor=<c>&limit=<n>`` answers a contract batch with a
``next_cursor``; ``GET <base>/v1/health`` answers 200 when the key is accepted. Throttling,
server errors and timeouts are retryable; other refusals are permanent.
"""

import requests

from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import OmniError, PayloadError

TIMEOUT = (5, 30)  # connect, read (seconds)
DEFAULT_DELAY = 60


class PosApiError(OmniError):
    """The POS API refused the request (bad key, bad request): retrying will not help."""

    error_class = "connection"


class PosAdapter:
    def __init__(self, base_url, api_key, page_size=100, timeout=TIMEOUT, session=None):
        self.base_url = (base_url or "").rstrip("/")
        self.api_key = api_key or ""
        self.page_size = page_size
        self.timeout = timeout
        self.session = session or requests.Session()

    def _get(self, path, params=None):
        if not self.base_url:
            raise PosApiError(_lt("no POS API URL configured"))
        try:
            response = self.session.get(
                f"{self.base_url}{path}",
                params=params,
                headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise RetryableJobError(_lt("POS API timed out"), seconds=DEFAULT_DELAY) from None
        except requests.ConnectionError as err:
            raise RetryableJobError(
                _lt("POS API unreachable (%(kind)s)", kind=type(err).__name__),
                seconds=DEFAULT_DELAY,
            ) from None
        status = response.status_code
        if status == 429:
            raise RetryableJobError(
                _lt("POS API rate limit"), seconds=_retry_after(response) or DEFAULT_DELAY
            )
        if status >= 500:
            raise RetryableJobError(
                _lt("POS API server error %(status)s", status=status),
                seconds=_retry_after(response) or DEFAULT_DELAY,
            )
        if status >= 400:
            # Never echo the request: its headers carry the key.
            raise PosApiError(
                _lt("POS API refused %(path)s with HTTP %(status)s", path=path, status=status)
            )
        try:
            return response.json()
        except ValueError:
            raise PayloadError(_lt("POS API %(path)s: the answer is not JSON", path=path)) from None

    def health(self):
        return self._get("/v1/health")

    def pages(self, since=None, cursor=None):
        """Contract batches from ``since`` (aware datetime or None), page after page, from
        ``cursor`` (the ``next_cursor`` of a page already read) or the first page."""
        seen = set()
        while True:
            params = {"limit": self.page_size}
            if since:
                params["since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
            if cursor:
                params["cursor"] = cursor
            page = self._get("/v1/records", params)
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise PayloadError(_lt("POS API /v1/records: not a contract batch"))
            yield page
            seen.add(cursor)
            cursor = page.get("next_cursor")
            if not cursor:
                return
            if cursor in seen:  # a server looping on its cursor must not loop the job
                raise PayloadError(
                    _lt("POS API /v1/records: cursor %(cursor)r repeats", cursor=cursor)
                )


def _retry_after(response):
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None
