from . import test_company_check, test_job_functions, test_money
