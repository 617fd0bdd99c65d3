from . import test_locations, test_pipeline, test_tour, test_webhook
