from . import engine, models, wizard
