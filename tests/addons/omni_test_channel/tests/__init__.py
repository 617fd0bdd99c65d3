from . import test_pipeline, test_tour, test_webhook
