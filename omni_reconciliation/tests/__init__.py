from . import test_recon_exception
