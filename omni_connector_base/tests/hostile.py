"""What every channel's hostile-input tests assert (a mixin of an OmniCommon HttpCase)."""


class HostileInputMixin:
    """A correctly signed body is never a 500 and never lost: what cannot be read or sold is
    one stored, failed, replayable event whose payload error names the problem."""

    def post_signed(self, body):
        """POST ``body`` to the channel's webhook, signed as the channel signs it."""
        raise NotImplementedError

    def assert_payload_failure(self, body, *words):
        """POST ``body`` signed: one failed event whose payload error holds ``words``, and
        Replay fails it the same way without storing anything more."""
        before = self.events()
        response = self.post_signed(body)
        self.assertEqual(response.status_code, 200, response.text)
        self.process()
        event = self.events() - before
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.state, event.error_class), ("failed", "payload"), event.error_message
        )
        for word in words:
            self.assertIn(word, event.error_message)
        message = event.error_message
        event.action_replay()
        self.process()
        self.assertEqual(self.events() - before, event, "nothing duplicated")
        self.assertEqual((event.state, event.error_message), ("failed", message))
        self.assertEqual(self.post_signed(body).json(), {"received": 0, "duplicates": 1})
        return event
