from datetime import timedelta

from odoo import api, fields, models

#: queue_job states of a job that was retried or gave up: a stream's trouble, not its queue.
#: A job waiting for its first run, or a continuation after progress, is not trouble.
TROUBLED_JOB_STATES = ("pending", "enqueued", "started", "failed")


class OmniBackendStream(models.Model):
    """Per-stream sync state of a backend (orders, payouts, ...): the polling watermark and
    the last successful / failed run, shown in monitoring.

    A stream *progresses* when a run of it succeeds (a page stored, the watermark moved:
    ``_mark_success``). It is *in trouble* from its first error since its last success, or
    while one of its jobs is being retried or has failed. It is *stalled* when it has been in
    trouble, without progressing, for longer than its backend's stall threshold."""

    _name = "omni.backend.stream"
    _description = "Omnichannel Sync Stream"
    _order = "backend_id, name"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    name = fields.Char(required=True, help="The stream's technical name, as jobs know it.")
    label = fields.Char(string="Stream", compute="_compute_label")
    watermark = fields.Datetime(help="Channel time up to which records have been fetched.")
    cursor = fields.Char(help="Opaque channel cursor of an interrupted pagination.")
    last_success_at = fields.Datetime(readonly=True)
    last_error_at = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)
    error_since = fields.Datetime(
        readonly=True, help="First error since the last successful run (empty once it succeeds)."
    )
    trouble_since = fields.Datetime(
        compute="_compute_stall",
        help="Since when the stream fails or its job is retried without progressing.",
    )
    retrying_job_count = fields.Integer(
        compute="_compute_stall", help="Jobs of this stream being retried or failed."
    )
    trouble_reason = fields.Text(
        compute="_compute_stall", help="The last error, or why its job is being retried."
    )
    is_stalled = fields.Boolean(
        string="Stalled",
        compute="_compute_stall",
        search="_search_is_stalled",
        help="In trouble without progress for longer than the backend's stall threshold.",
    )

    health = fields.Selection(
        [("ok", "OK"), ("trouble", "Retrying"), ("stalled", "Stalled")],
        compute="_compute_stall",
        help="Retrying: failing or retried since its last progress; stalled: for longer than "
        "the backend's stall threshold.",
    )

    _sql_constraints = [
        ("backend_name_uniq", "UNIQUE(backend_id, name)", "A stream exists once per backend."),
    ]

    @api.depends("name", "backend_id.channel")
    def _compute_label(self):
        for stream in self:
            labels = stream.backend_id._omni_stream_labels()
            stream.label = (
                labels.get(stream.name) or (stream.name or "").replace("_", " ").capitalize()
            )

    @api.depends("label")
    def _compute_display_name(self):
        for stream in self:
            stream.display_name = stream.label

    def _mark_success(self, watermark=None):
        vals = {"last_success_at": fields.Datetime.now(), "cursor": False, "error_since": False}
        if watermark:
            vals["watermark"] = max(watermark, self.watermark) if self.watermark else watermark
        self.write(vals)

    def _mark_error(self, message):
        now = fields.Datetime.now()
        for stream in self:
            stream.write(
                {
                    "last_error_at": now,
                    "last_error": message,
                    "error_since": stream.error_since or now,
                }
            )

    def _troubled_jobs(self):
        """{stream: queue.job records of it being retried or failed}, read as superuser (job
        records are for job managers; their state is monitoring here)."""
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", "omni.backend"),
                    ("state", "in", TROUBLED_JOB_STATES),
                    "|",
                    "|",
                    ("state", "=", "failed"),
                    ("retry", ">", 0),
                    # postponed by a retryable error that does not count as a try (throttling)
                    ("result", "!=", False),
                ]
            )
        )
        troubled = {stream: jobs.browse() for stream in self}
        for job in jobs:
            for backend in self.env["omni.backend"].browse(job.record_ids).exists():
                names = backend._omni_job_streams(job.method_name, job.args)
                for stream in self:
                    if stream.backend_id == backend and stream.name in names:
                        troubled[stream] |= job
        return troubled

    def _compute_stall(self):
        now = fields.Datetime.now()
        troubled = self._troubled_jobs()
        for stream in self:
            jobs = troubled[stream]
            starts = [d for d in [stream.error_since, *jobs.mapped("date_created")] if d]
            since = min(starts, default=False)
            if since and stream.last_success_at:  # progress restarts the clock
                since = max(since, stream.last_success_at)
            threshold = timedelta(minutes=stream.backend_id.stall_threshold_minutes)
            stream.trouble_since = since
            stream.retrying_job_count = len(jobs)
            newest_job = jobs.sorted("date_created")[-1:]
            stream.trouble_reason = (
                stream.last_error
                if stream.error_since
                else newest_job.exc_message or newest_job.result or False
            )
            stream.is_stalled = bool(since) and now - since > threshold
            stream.health = "stalled" if stream.is_stalled else "trouble" if since else "ok"

    def _search_is_stalled(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        streams = self.search([])
        stalled = streams.filtered("is_stalled")
        wanted = stalled if (operator == "=") == value else streams - stalled
        return [("id", "in", wanted.ids)]
