"""`python3 -m surveysite ...`: the same command line as `surveysite`."""

import sys

from surveysite.cli import main

sys.exit(main())
