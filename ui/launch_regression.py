"""The price-regression workflow's fields on the Launch page: the RMSE threshold, XGBoost's
num_round, max_depth and eta, the feature set, and the instances on aws.

Bounds are the workflow's own checks' (``pipeline.workflows.price_regression.checks``), so a
value the fields accept is one the run accepts; every value is kept across pages.
"""

from __future__ import annotations

import streamlit as st

from pipeline.workflows.price_regression.parameters import (
    FEATURE_SET_HELP,
    FEATURE_SETS,
    RegressionParameters,
)
from ui.fields import instance_inputs, kept
from ui.names import Key
from ui.state import ActiveDataset


def regression_inputs(active: ActiveDataset, backend_name: str) -> RegressionParameters:
    """The price-regression run's parameters as fields; the instance settings only on aws."""
    defaults = RegressionParameters()
    columns = st.columns(2)
    with columns[0]:
        threshold = kept(
            st.number_input,
            "RMSE threshold",
            key=Key.LAUNCH_RMSE_THRESHOLD,
            default=defaults.rmse_threshold,
            min_value=0.01,
            step=1.0,
            help="The run fails with 'RMSE too high' when the validation RMSE (in the currency of "
            "UnitPrice) is above this; below it, the model predicts the test lines.",
        )
        max_depth = kept(
            st.number_input,
            "Tree depth (max_depth)",
            key=Key.LAUNCH_MAX_DEPTH,
            default=defaults.max_depth,
            min_value=1,
            max_value=20,
        )
    with columns[1]:
        num_round = kept(
            st.number_input,
            "Boosting rounds (num_round)",
            key=Key.LAUNCH_NUM_ROUND,
            default=defaults.num_round,
            min_value=1,
            max_value=2000,
        )
        eta = kept(
            st.number_input,
            "Learning rate (eta)",
            key=Key.LAUNCH_ETA,
            default=defaults.eta,
            min_value=0.01,
            max_value=1.0,
            step=0.05,
        )
    feature_set = kept(
        st.selectbox,
        "Feature set",
        key=Key.LAUNCH_FEATURE_SET,
        default=defaults.feature_set,
        options=list(FEATURE_SETS),
        format_func=lambda name: f"{name} ({len(FEATURE_SETS[name])} features)",
    )
    # Said under the picker: in its options the line was cut with an ellipsis at 800 px.
    help_line = FEATURE_SET_HELP[feature_set]
    st.caption(f"{help_line[:1].upper()}{help_line[1:]}.")
    instance_type, instance_count = instance_inputs(backend_name, columns)
    return RegressionParameters(
        rmse_threshold=float(threshold),
        num_round=int(num_round),
        max_depth=int(max_depth),
        eta=float(eta),
        feature_set=feature_set,
        instance_type=instance_type,
        instance_count=int(instance_count),
    )
