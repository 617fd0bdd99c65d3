-- Database copies (odoo-bin neutralize / duplicate for testing) must not talk to real
-- channels nor accept their webhooks: disable backends and drop their webhook secrets.
UPDATE omni_backend SET active = false, webhook_secret = NULL;
