from . import test_pipeline, test_webhook, test_tour
