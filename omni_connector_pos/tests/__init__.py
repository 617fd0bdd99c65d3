from . import (
    test_pos_backend,
    test_pos_contract,
    test_pos_feed,
    test_pos_hostile_input,
    test_pos_i18n,
    test_pos_odoo_mirror,
    test_pos_pull,
    test_pos_pull_resume,
    test_pos_roles,
    test_pos_ways_in,
)
