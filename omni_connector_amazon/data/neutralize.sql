-- Database copies never reach the live Amazon seller account.
UPDATE omni_backend
   SET amazon_lwa_client_secret = NULL,
       amazon_refresh_token = NULL,
       amazon_access_token = NULL,
       amazon_token_expires_at = NULL
 WHERE channel = 'amazon';
