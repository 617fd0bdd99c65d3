from . import canonical, dates, errors, money, payload
