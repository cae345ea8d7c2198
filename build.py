#!/usr/bin/env python3
"""Entry point: python build.py [build|serve|check|new] ... (see README.md)."""

import sys

from surveysite import run

if __name__ == "__main__":
    sys.exit(run())
