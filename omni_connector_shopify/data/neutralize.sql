-- Database copies never reach the live Shopify shop.
UPDATE omni_backend
   SET shopify_access_token = NULL,
       shopify_client_secret = NULL,
       shopify_token_expires_at = NULL
 WHERE channel = 'shopify';
