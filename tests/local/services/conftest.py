"""Settings of the local services' tests that must be in place before their modules import."""

from __future__ import annotations

import os

# The XGBoost stand-in sets this before it first imports xgboost (xgboost_training.load_xgboost);
# the tests import xgboost themselves, earlier, so they set it here: OpenMP reads it when it loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
