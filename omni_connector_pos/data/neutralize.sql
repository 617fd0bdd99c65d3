-- A copied database must neither pull from the production tills nor accept their webhooks.
UPDATE omni_backend SET pos_api_key = NULL, pos_api_url = NULL WHERE channel = 'pos';
