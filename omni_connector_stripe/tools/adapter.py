"""I/O only: the Stripe API through the official SDK, with timeouts and error classes.

Throttling, 5xx, timeouts and dropped connections become queue_job's RetryableJobError
(honouring Retry-After); authentication and request errors are permanent. The SDK's own
retries are off: retrying is the job's business, never a sleep inside a worker.
"""

import stripe

from odoo.tools.translate import _lt

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import OmniError

API_BASE = "https://api.stripe.com"
TIMEOUT_SECONDS = 30
PAGE_SIZE = 100


class StripeConnectionError(OmniError):
    """The account refused us (key revoked, missing permission, bad request)."""

    error_class = "connection"


def _retry_after(err):
    headers = getattr(err, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(1, int(float(value)))
    except (TypeError, ValueError):
        return None


def _reason(err):
    """What Stripe says went wrong, in its words (meant for people when it has them)."""
    return err.user_message or str(err)


class StripeAdapter:
    def __init__(self, api_key, api_base=None, timeout=TIMEOUT_SECONDS):
        if not api_key:
            raise StripeConnectionError(_lt("no Stripe secret key configured on the backend"))
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base or API_BASE},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except stripe.RateLimitError as err:
            raise RetryableJobError(
                _lt("Stripe throttled the request: %(error)s", error=_reason(err)),
                seconds=_retry_after(err) or 30,
            ) from None
        except stripe.APIConnectionError as err:
            raise RetryableJobError(
                _lt("Stripe unreachable: %(error)s", error=_reason(err))
            ) from None
        except stripe.APIError as err:
            if (err.http_status or 500) >= 500:
                raise RetryableJobError(
                    _lt("Stripe server error %(status)s", status=err.http_status),
                    seconds=_retry_after(err),
                ) from None
            raise StripeConnectionError(
                _lt("Stripe error %(status)s: %(error)s", status=err.http_status, error=str(err))
            ) from None
        except stripe.StripeError as err:  # auth, permission, invalid request: permanent
            raise StripeConnectionError(
                _lt(
                    "Stripe refused the request (%(kind)s): %(error)s",
                    kind=type(err).__name__,
                    error=_reason(err),
                )
            ) from None

    def _list(self, service, params, starting_after=None):
        """Every object of a list, newest first, from the one after ``starting_after``."""
        if starting_after:
            params = {**params, "starting_after": starting_after}
        page = self._call(service.list, params={"limit": PAGE_SIZE, **params})
        while True:
            yield from (obj.to_dict(for_json=True) for obj in page.data)
            if not page.has_more or not page.data:
                return
            page = self._call(
                service.list,
                params={"limit": PAGE_SIZE, **params, "starting_after": page.data[-1].id},
            )

    def balance(self):
        return self._call(self.client.v1.balance.retrieve).to_dict(for_json=True)

    def payouts(self, created_gte=None, starting_after=None):
        params = {"created": {"gte": created_gte}} if created_gte else {}
        return self._list(self.client.v1.payouts, params, starting_after)

    def _retrieve(self, service, object_id, **params):
        return self._call(service.retrieve, object_id, params=params).to_dict(for_json=True)

    def payout(self, payout_id):
        return self._retrieve(self.client.v1.payouts, payout_id)

    def refund(self, refund_id):
        return self._retrieve(self.client.v1.refunds, refund_id)

    def dispute(self, dispute_id):
        return self._retrieve(self.client.v1.disputes, dispute_id)

    def balance_transactions(self, payout=None, created_gte=None, starting_after=None):
        params = {"expand": ["data.source"]}
        if payout:
            params["payout"] = payout
        if created_gte:
            params["created"] = {"gte": created_gte}
        return self._list(self.client.v1.balance_transactions, params, starting_after)

    def refunds(self, charge_id):
        return self._list(self.client.v1.refunds, {"charge": charge_id})

    def charge(self, charge_id):
        return self._retrieve(self.client.v1.charges, charge_id)

    def balance_transaction(self, txn_id):
        return self._retrieve(self.client.v1.balance_transactions, txn_id, expand=["source"])
