"""Dagster wiring, one folder per stage. Imported before any asset module is."""
import warnings

import dagster as dg

# BackfillPolicy is marked beta in Dagster 1.13: the warning, printed at every import, is nothing
# a user of this project can act on.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
