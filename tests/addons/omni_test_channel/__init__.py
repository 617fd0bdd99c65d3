from . import models, parser
