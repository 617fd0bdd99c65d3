"""Error classes of the pipeline.

Permanent errors fail an event with a clear message and keep it visible for a user to fix
and retry; retryable ones (throttling, 5xx, timeouts, locks) are
``odoo.addons.queue_job.exception.RetryableJobError`` and retried with backoff.
"""


class OmniError(Exception):
    """Base of every error the pipeline shows on an event.

    Its message is translatable: ``_("...", name=value)`` in model code, a lazy
    ``_lt("...", name=value)`` in pure code, rendered by ``str(err)`` in the language of the
    code calling it (the event being processed, so the user's). ``BaseException.__str__``
    renders the message from C, leaving that caller's frame the one Odoo takes the language
    from: a Python ``__str__`` here would put its own frame in between and lose the language.
    """

    error_class = "internal"


class PayloadError(OmniError):
    """The channel sent something we cannot read (malformed JSON, missing field, bad amount)."""

    error_class = "payload"


class MappingError(OmniError):
    """A channel record has no Odoo counterpart and the backend may not create one."""

    error_class = "mapping"

    def __init__(self, message, kind="", external_ref=""):
        super().__init__(message)
        self.kind = kind
        self.external_ref = external_ref


class CurrencyError(OmniError):
    """Unknown or inactive currency, or a currency that contradicts the document's."""

    error_class = "currency"


class SignatureError(OmniError):
    """A webhook failed verification; never stored, never shown with the secret."""

    error_class = "signature"
