"""Skip Streamlit's once-a-process REPL check: 0.1-0.8 s of the first page on this machine.

The first element a Streamlit process draws asks ``streamlit.env_util.is_repl()`` whether to
log "run this app with streamlit run" (``streamlit.delta_generator._maybe_print_use_warning``).
That check calls ``inspect.stack()``, which resolves the real path of every loaded module
(~850 once streamlit and this app are imported): 0.1 s on a quiet machine, 0.8 s measured with
a busy disk, all of it before the first page's first element reaches the browser. Under
``streamlit run`` (and AppTest) the answer is always "not a REPL" and the warning would only go
to the server's log, so app.py marks it as already handled before drawing anything.

The flag is a private module global of Streamlit 1.67. If an upgrade renames it, nothing
breaks (only the check's cost comes back); tests/pages/test_first_page.py notices it.
"""

from __future__ import annotations

import streamlit.delta_generator as delta_generator

#: Streamlit's "the use warning was already handled" flag.
FLAG = "_use_warning_has_been_displayed"


def skip_repl_check() -> bool:
    """Tell Streamlit its "use streamlit run" warning is handled; False if the flag is gone."""
    if not hasattr(delta_generator, FLAG):
        return False
    setattr(delta_generator, FLAG, True)
    return True
