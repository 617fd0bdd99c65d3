-- Database copies never reach the live Shopify shop.
UPDATE omni_backend SET shopify_access_token = NULL WHERE channel = 'shopify';
