from . import omni_pos_import_wizard
