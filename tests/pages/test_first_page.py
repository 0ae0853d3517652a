"""Home as the first page of a fresh server process: what its first run leaves out, and the order
it draws in. The time itself is measured by benchmarks/first_page.py and bench_browser.py."""

from __future__ import annotations

from typing import NoReturn

from streamlit.testing.v1 import AppTest
from support.page_support import APP, sidebar_backend, unescaped
from support.probe_support import run_probe

import ui.backend
from ui.page import end_page

RUN_TIMEOUT = 300

#: A fresh interpreter runs app.py once (Home) and reports what that run imported and whether
#: anything walked the call stack (Streamlit's REPL check does, through ``inspect.stack``).
FIRST_RUN_PROBE = """
import inspect, json, sys
walked = []
stack = inspect.stack
inspect.stack = lambda *args, **kwargs: walked.append(1) or stack(*args, **kwargs)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=300).run()
print(json.dumps({
    "numpy": "numpy" in sys.modules,
    "psutil": "psutil" in sys.modules,
    "stack_walks": len(walked),
    "title": [title.value for title in at.title],
    "exceptions": [str(exception.value) for exception in at.exception],
}))
"""


def fill_definition_cache() -> None:
    """Build every workflow with the SDK once, so a fresh process finds them on disk (as the
    app does after its first start on a data directory)."""
    from pipeline.backends.local import LocalBackend
    from pipeline.workflows.registry import WORKFLOWS

    backend = LocalBackend(client=object())
    for spec in WORKFLOWS:
        backend.workflow_documents(spec)


def test_a_fresh_process_draws_home_without_numpy_psutil_or_walking_the_call_stack(studio_home):
    fill_definition_cache()

    probe = run_probe(FIRST_RUN_PROBE, studio_home)

    assert probe["exceptions"] == []
    assert probe["title"] == ["RFM Workflow Studio"]
    assert probe["numpy"] is False  # the page icon went through Streamlit's image path before
    assert probe["psutil"] is False  # the local backend's health does not look at processes
    assert probe["stack_walks"] == 0  # Streamlit's REPL check is skipped (ui/repl_check.py)


#: The same first run, opened by a link that names a dataset (``?dataset=<hash>``, a reload).
LINKED_RUN_PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=300)
at.query_params["dataset"] = sys.argv[1]
at.run()
print(json.dumps({
    "numpy": "numpy" in sys.modules,
    "pandas": "pandas" in sys.modules,
    "sidebar": [text.value for text in at.sidebar.text],
    "exceptions": [str(exception.value) for exception in at.exception],
}))
"""


def test_a_fresh_process_restores_a_linked_dataset_on_home_without_pandas(studio_home, sample_xlsx):
    from pipeline.loading.dataset import canonical_parquet, clean_transactions, load_transactions
    from pipeline.loading.loaded_records import save_loaded
    from ui.state import ActiveDataset

    fill_definition_cache()
    dataset = load_transactions(sample_xlsx)  # into this test's cache, as the Data page loads it
    _, report = clean_transactions(dataset.transactions)
    save_loaded(dataset.content_hash, ActiveDataset.of(dataset, canonical_parquet(dataset), report).record())

    probe = run_probe(LINKED_RUN_PROBE, studio_home, args=[dataset.content_hash])

    assert probe["exceptions"] == []
    assert probe["sidebar"][0] == "online_retail_sample_40k.xlsx"
    assert probe["pandas"] is False and probe["numpy"] is False  # two small JSON reads restore it


def test_home_draws_every_other_section_before_it_checks_the_backend(monkeypatch):
    def check_never_answers(name: str, seconds: float) -> NoReturn:
        end_page()  # the page stops where the check is: what was drawn before it stays

    monkeypatch.setattr(ui.backend, "health_within", check_never_answers)
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert [subheader.value for subheader in at.main.subheader] == ["Next step", "Active dataset", "Backend"]
    assert "### Workflows" in at.markdown[0].value  # the intro and the workflows are one block
    assert "Load a dataset on the Data page" in [link.label for link in at.get("page_link")]
    assert not [block for block in at.markdown if block.value.startswith(":material/")]
    assert sidebar_backend(at) == "Local engine (this machine)"


def test_home_sends_its_fixed_text_as_one_markdown_block_and_no_captions():
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    blocks = [block.value for block in at.main.markdown]
    assert len([block for block in blocks if not block.startswith(":material/")]) == 1
    assert not at.main.caption  # each health check's message is on its line, not a caption below


def test_home_shows_each_backend_check_as_one_line_under_the_backend_heading():
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    backend_column = at.columns[1]
    assert backend_column.subheader[0].value == "Backend"
    checks = [block.value for block in backend_column.markdown]
    assert len(checks) == 2
    assert all(check.startswith(":material/check_circle:") for check in checks)
    assert "passes the engine" in checks[-1]  # the message is on the check's line


def test_the_sidebar_names_the_backend_before_the_page_and_the_dataset_after(monkeypatch):
    import ui.home
    import ui.sidebar

    drawn: list[str] = []

    def record(name, function):
        def recorded(*args, **kwargs):
            drawn.append(name)
            return function(*args, **kwargs)

        return recorded

    monkeypatch.setattr(ui.sidebar, "active_backend_name", record("backend", ui.sidebar.active_backend_name))
    monkeypatch.setattr(ui.home, "intro_markdown", record("page", ui.home.intro_markdown))
    monkeypatch.setattr(ui.sidebar, "get_active", record("dataset summary", ui.sidebar.get_active))
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert drawn == ["backend", "page", "dataset summary"]
    assert [subheader.value for subheader in at.sidebar.subheader] == ["Dataset", "Backend"]


def test_the_first_page_has_no_radio_whose_code_the_browser_would_fetch_first():
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert not at.radio  # the backend is chosen on Launch; Home and the sidebar name it as text
    assert sidebar_backend(at) == "Local engine (this machine)"
    assert "Chosen on the Launch page." in [caption.value for caption in at.sidebar.caption]


def test_home_draws_the_page_while_a_slow_health_check_goes_on_then_the_checks(monkeypatch):
    import threading

    from pipeline.backends.local import LocalBackend

    ui.backend.check_again("local")  # the health is cached per process: this test's check must run
    release = threading.Event()
    real_preflight = LocalBackend.preflight

    def slow_preflight(self):  # as slow as a new data directory's first build, until released
        release.wait(RUN_TIMEOUT)
        return real_preflight(self)

    monkeypatch.setattr(LocalBackend, "preflight", slow_preflight)
    monkeypatch.setenv("RFM_STUDIO_HOME_HEALTH_WAIT", "0")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()

    assert not at.exception
    assert [subheader.value for subheader in at.main.subheader] == ["Next step", "Active dataset", "Backend"]
    assert "Checking the backend" in at.columns[1].caption[0].value
    assert not [block for block in at.markdown if block.value.startswith(":material/")]
    assert sidebar_backend(at) == "Local engine (this machine)"

    release.set()
    checks = ui.backend.health_within("local", None)  # the background check ends
    at.run()

    assert [check.ok for check in checks] == [True, True]
    assert not at.columns[1].caption
    lines = [block.value for block in at.columns[1].markdown]
    assert len(lines) == 2 and all(line.startswith(":material/check_circle:") for line in lines)


def test_a_slow_health_check_that_then_fails_ends_in_a_message_not_a_traceback(monkeypatch):
    import threading

    from pipeline.backends.local import LocalBackend

    ui.backend.check_again("local")
    release = threading.Event()

    def failing_preflight(self):  # slow, then something no check expected
        release.wait(RUN_TIMEOUT)
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(LocalBackend, "preflight", failing_preflight)
    monkeypatch.setenv("RFM_STUDIO_HOME_HEALTH_WAIT", "0")
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT).run()
    assert "Checking the backend" in at.columns[1].caption[0].value

    release.set()
    at.run()

    assert not at.exception
    [shown] = [error.value for error in at.columns[1].error]
    assert "Checking the backend failed unexpectedly (RuntimeError)" in unescaped(shown)
    assert not at.columns[1].caption  # no longer "checking"
    ui.backend.check_again("local")  # later tests check the real backend afresh


def test_the_home_health_wait_falls_back_to_its_default_on_a_value_that_is_not_seconds(monkeypatch):
    monkeypatch.setenv("RFM_STUDIO_HOME_HEALTH_WAIT", "soon")
    assert ui.backend.home_health_wait() == ui.backend.HOME_HEALTH_WAIT_SECONDS
    monkeypatch.setenv("RFM_STUDIO_HOME_HEALTH_WAIT", "-1")
    assert ui.backend.home_health_wait() == ui.backend.HOME_HEALTH_WAIT_SECONDS
    monkeypatch.setenv("RFM_STUDIO_HOME_HEALTH_WAIT", "0.5")
    assert ui.backend.home_health_wait() == 0.5
