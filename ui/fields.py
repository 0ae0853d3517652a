"""Form fields whose values outlive the page: leaving Launch or Segments and coming back keeps k,
thresholds, the countries chosen...
Streamlit drops a widget's value from ``st.session_state`` at the end of any run that does not
draw the widget, so a field on a page the user navigated away from starts from its default
when they come back. :func:`kept` draws a field from a copy of its value kept under
``Key.LAUNCH_FIELDS`` (a plain dict in session state, which Streamlit never drops): before the
widget is drawn, its key is seeded from that copy (or the default the first time), and the
value the widget returns is copied back. The widget itself gets no ``value=``, so a callback
may still write its key before it is drawn (Try k's "Use k").

Also the SageMaker instance fields every workflow's form shares (:func:`instance_inputs`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from ui.backend import backend
from ui.names import Key

#: The instance types the aws fields offer (the backend's default is added when not among them).
INSTANCE_TYPES = ["ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.xlarge", "ml.c5.2xlarge"]

T = TypeVar("T")


def kept_values() -> dict[str, Any]:
    """The kept field values of this session, by widget key."""
    return st.session_state.setdefault(Key.LAUNCH_FIELDS, {})


def kept(draw: Callable[..., T], label: str, *, key: str, default: Any, **options: Any) -> T:
    """``draw(label, key=key, **options)`` starting from the kept value (else ``default``);
    the value drawn is kept for the next time the page is drawn."""
    values = kept_values()
    if key not in st.session_state:
        earlier = values.get(key, default)
        st.session_state[key] = earlier if fits(earlier, options) else default
    value = draw(label, key=key, **options)
    values[key] = value
    return value


def restore_kept(key: str) -> None:
    """Before drawing an element whose state Streamlit keeps under ``key`` but that :func:`kept`
    cannot draw (view tabs, an expander's open state): bring back the state :func:`keep` copied,
    when Streamlit forgot it because a run of another page did not draw the element."""
    values = kept_values()
    if key not in st.session_state and key in values:
        st.session_state[key] = values[key]


def keep(key: str) -> None:
    """After drawing the element of :func:`restore_kept`: copy its state for the next visit."""
    if key in st.session_state:
        kept_values()[key] = st.session_state[key]


def fits(value: Any, options: dict[str, Any]) -> bool:
    """Whether a kept value is still one the field offers (its ``options``, bounds), e.g. after
    the backend or the dataset changed what the field offers; a multiselect's list, item by item."""
    choices = options.get("options")
    if choices is not None:
        offered = list(choices)
        if isinstance(value, list):
            return all(item in offered for item in value)
        return value in offered
    low, high = options.get("min_value"), options.get("max_value")
    values = value if isinstance(value, tuple) else (value,)  # a range slider's (low, high)
    try:
        return all((low is None or item >= low) and (high is None or item <= high) for item in values)
    except TypeError:
        return False


def instance_inputs(backend_name: str, columns: list[Any]) -> tuple[str, int]:
    """The SageMaker instance type and count: fields on aws, the backend's defaults elsewhere
    (the local engine has no instances)."""
    defaults = backend(backend_name).launch_defaults()
    if not defaults.instances_matter:
        return defaults.instance_type, defaults.instance_count
    instance_type = defaults.instance_type
    types = INSTANCE_TYPES if instance_type in INSTANCE_TYPES else [instance_type, *INSTANCE_TYPES]
    with columns[0]:
        instance_type = kept(
            st.selectbox, "Instance type", key=Key.LAUNCH_INSTANCE_TYPE, default=instance_type, options=types
        )
    with columns[1]:
        instance_count = kept(
            st.number_input,
            "Instance count",
            key=Key.LAUNCH_INSTANCE_COUNT,
            default=defaults.instance_count,
            min_value=1,
            max_value=10,
        )
    return instance_type, int(instance_count)
