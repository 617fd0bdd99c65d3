from . import (
    test_recon_actions,
    test_recon_amounts,
    test_recon_engine,
    test_recon_exception,
    test_recon_exchange,
    test_recon_formatting,
    test_recon_settings,
    test_recon_texts,
    test_recon_tolerance,
    test_recon_tour,
    test_recon_twins,
)
