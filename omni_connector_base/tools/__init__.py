from . import canonical, errors, money
