"""Page paths and session-state keys, named once for app.py, the pages, ui/ and the tests.

A page path is what ``st.Page``, ``st.page_link`` and ``st.switch_page`` take (relative to
app.py). A session-state key here is read or written by more than one module, or outside the
widget that owns it; a widget key used only by its own page stays in that page.
"""

from __future__ import annotations

from typing import Final


class Page:
    """The page files of ``app_pages/`` (never a ``pages/`` folder: see docs/ARCHITECTURE.md)."""

    HOME: Final = "app_pages/home.py"
    DATA: Final = "app_pages/data.py"
    SEGMENTS: Final = "app_pages/segments.py"
    LAUNCH: Final = "app_pages/launch.py"
    EXECUTIONS: Final = "app_pages/executions.py"
    CLUSTERS: Final = "app_pages/clusters.py"
    PRICES: Final = "app_pages/prices.py"


class Key:
    """Keys of ``st.session_state`` shared between modules."""

    #: The loaded dataset (a small ``ui.state.ActiveDataset``), set only by a successful load.
    ACTIVE_DATASET: Final = "active_dataset"
    #: The backend chosen for launching ("local" or "aws"); Launch's "Run on" radio's key.
    BACKEND: Final = "backend"
    #: The execution ARN the user is looking at: set by Launch, Executions and Clusters.
    SELECTED_EXECUTION: Final = "selected_execution"
    #: Launch's workflow choice (a registry name), kept across pages like the parameters.
    LAUNCH_WORKFLOW: Final = "launch_workflow"
    #: Launch's field values by widget key (a dict), so leaving the page and coming back keeps
    #: them: Streamlit forgets a widget's value once a run of another page does not draw it.
    LAUNCH_FIELDS: Final = "launch_fields"
    #: Launch's k field (Try k's "Use k" writes it before the field is drawn).
    LAUNCH_K: Final = "launch_k"
    #: Launch's clustering quality threshold field.
    LAUNCH_THRESHOLD: Final = "launch_threshold"
    #: Launch's price-regression fields.
    LAUNCH_RMSE_THRESHOLD: Final = "launch_rmse_threshold"
    LAUNCH_NUM_ROUND: Final = "launch_num_round"
    LAUNCH_MAX_DEPTH: Final = "launch_max_depth"
    LAUNCH_ETA: Final = "launch_eta"
    LAUNCH_FEATURE_SET: Final = "launch_feature_set"
    #: Launch's instance fields (aws only), shared by every workflow.
    LAUNCH_INSTANCE_TYPE: Final = "launch_instance_type"
    LAUNCH_INSTANCE_COUNT: Final = "launch_instance_count"
    #: The (dataset, country, as-of) Try k last ran for: its chart stays while they do not change.
    TRY_K_FOR: Final = "launch_try_k_for"
    #: Clusters' run selector (its choice becomes the selected execution).
    CLUSTERS_RUN: Final = "clusters_run"
    #: Prices' run selector (its choice becomes the selected execution).
    PRICES_RUN: Final = "prices_run"
    #: The ARNs of the runs this browser session launched (Launch, Re-run): Stop warns before
    #: stopping any other, which someone else sharing the server may be waiting for.
    LAUNCHED_HERE: Final = "launched_here"
    #: Set by Launch before it switches to Executions, which then scrolls to its top once.
    ARRIVED_FROM_LAUNCH: Final = "arrived_from_launch"
    #: The execution ARN whose Stop awaits the user's confirmation.
    STOP_ASKED: Final = "stop_asked"
    #: The execution ARN the user confirmed to stop; cleared once the backend took the request.
    STOP_CONFIRMED: Final = "stop_confirmed"
    #: Whether a choice of another run may redraw only the parts of Executions that show it
    #: (``execution_list.RUN_PARTS``): set by each full run of the page, true while nothing runs.
    SWITCH_IN_PLACE: Final = "executions_switch_in_place"
    #: The runs table's ARNs when last drawn: the runs a click on a row may name.
    TABLE_ARNS: Final = "executions_table_arns"
    #: The run name of the ``?run=NAME`` link last applied to the selection.
    RUN_LINK_APPLIED: Final = "run_link_applied"


#: The query parameter of a link to a run: ``?run=NAME`` opens that run's execution.
RUN_QUERY_PARAM: Final = "run"
#: The query parameter that keeps the active dataset in the address (``?dataset=<content hash>``),
#: so a reload or a copied link restores it (ui/dataset_link.py).
DATASET_QUERY_PARAM: Final = "dataset"
