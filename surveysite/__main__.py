"""`python3 -m surveysite ...`: the same command line as `surveysite`."""

import sys

from surveysite import run

sys.exit(run())
