-- Database copies never reach the live warehouse account (and accept no webhook).
UPDATE omni_backend
   SET shipbob_token = NULL,
       webhook_secret = NULL,
       tpl_webhook_subscription_ids = NULL
 WHERE channel = '3pl';
