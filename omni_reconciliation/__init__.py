# The SQL views of report/ read the tables of models/: report is loaded (and its views
# created) after models.
from . import models, report, wizard
