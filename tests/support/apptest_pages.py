"""AppTest with the app's pages kept from one run to the next, as the server keeps them.

The server keeps a session's page registry (what ``st.navigation`` set) across its script runs,
so a fragment that reruns alone can still draw ``st.page_link`` to another page. AppTest starts
a new ``PagesManager`` for every ``run()``: a run that is only fragments (the Executions page's
run switch reruns its run parts, ``ui.execution_list.RUN_PARTS``) found no page but the main
script and raised ``StreamlitPageNotFoundError``. :class:`PagesKept` seeds each new manager with
the pages the last ``st.navigation`` of that script set.
"""

from __future__ import annotations

from typing import Any, ClassVar

from streamlit.runtime.pages_manager import PagesManager


class PagesKept(PagesManager):
    """A ``PagesManager`` that starts with the pages the script's last navigation set."""

    registered: ClassVar[dict[str, dict[Any, Any]]] = {}  # main script path -> its pages

    def __init__(self, main_script_path: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(main_script_path, *args, **kwargs)
        pages = PagesKept.registered.get(str(main_script_path))
        if pages:
            self._set_pages(dict(pages))

    def set_pages_and_resolve(self, pages: Any, fallback_page_hash: Any = "") -> Any:
        PagesKept.registered[str(self.main_script_path)] = dict(pages)
        return super().set_pages_and_resolve(pages, fallback_page_hash)
