-- Database copies never reach the live Stripe account.
UPDATE omni_backend SET stripe_secret_key = NULL WHERE channel = 'stripe';
