from . import test_company_check, test_money
