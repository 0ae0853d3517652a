"""Everything a report says about a run, gathered once from its backend: description, history,
definition, parameters, the stored dataset and the versions that made the report.

Only finished runs have a report: a RUNNING run is refused with a sentence saying to wait.
The dataset is read back from where the run read it (``DataUri`` in the execution input), so
the dataset section describes exactly the bytes the run saw, and its hash is theirs.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from pipeline.errors import WorkflowError
from pipeline.executions import ExecutionStatus
from pipeline.workflows.registry import WORKFLOWS
from pipeline.workflows.runs import execution_input_of
from pipeline.workflows.spec import WorkflowSpec

#: Distributions whose versions the provenance lists (missing ones are left out).
VERSIONED_PACKAGES = (
    "rfm-workflow-studio",
    "stepfunctions",
    "sagemaker",
    "pandas",
    "scikit-learn",
    "xgboost",
    "plotly",
    "boto3",
)


@dataclass
class StoredDataset:
    """The Parquet a run read (its canonical transactions) and its SHA-256, or why it is missing.

    ``content_hash`` is the hash of that Parquet copy, not of the file the user loaded (an xlsx
    or csv is parsed to Parquet first): the run's input records only the copy.
    ``loaded_hashes`` are the hashes of the loaded files this machine's dataset cache knows
    for the very same Parquet bytes (:func:`loaded_file_hashes`), empty when it knows none.
    """

    uri: str
    content_hash: str = ""
    transactions: Any = None
    problem: str = ""
    loaded_hashes: tuple[str, ...] = ()


@dataclass
class RunFacts:
    """One finished execution as the report's sections read it."""

    backend_name: str
    spec: WorkflowSpec
    description: dict[str, Any]
    events: list[dict[str, Any]]
    definition: dict[str, Any]
    execution_input: dict[str, Any]
    parameters: Any
    dataset: StoredDataset
    storage: Any
    versions: dict[str, str] = field(default_factory=dict)
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def arn(self) -> str:
        """The execution ARN."""
        return str(self.description["executionArn"])

    @property
    def name(self) -> str:
        """The run name (the execution's name), as the pages and ``list`` show it."""
        return str(self.description.get("name") or self.arn.rsplit(":", 1)[-1])

    @property
    def status(self) -> str:
        """SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""
        return str(self.description["status"])

    @property
    def dataset_name(self) -> str:
        """The dataset's name as it was loaded (a file name or an address)."""
        return str(self.execution_input.get("DatasetName") or "unnamed dataset")

    @property
    def run_prefix(self) -> str:
        """Where the run's files live."""
        return str(self.execution_input.get("RunPrefix") or "")

    def read_results(self) -> Any:
        """The run's result files, as its workflow reads them (WorkflowError when absent).

        Read whatever the status: a run stopped by its quality gate has written its results.
        """
        if not self.run_prefix:
            raise WorkflowError("The execution input names no RunPrefix, so the run's files cannot be found.")
        return self.spec.read_results(self.run_prefix, self.storage)


def package_versions() -> dict[str, str]:
    """Python's and each installed package's version, for the provenance."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def workflow_of_description(description: dict[str, Any], backend: Any) -> WorkflowSpec:
    """The registry workflow whose state machine ran the execution."""
    machine = str(description.get("stateMachineArn", "")).split(":stateMachine:", 1)[-1].split(":")[0]
    for spec in WORKFLOWS:
        if backend.state_machine_name(spec) == machine:
            return spec
    known = ", ".join(backend.state_machine_name(spec) for spec in WORKFLOWS)
    raise WorkflowError(
        f"Execution {description.get('name')} ran state machine '{machine}', which is not one of the "
        f"studio's workflows ({known}): there is no report for it."
    )


def loaded_file_hashes(data: bytes, digest: str) -> tuple[str, ...]:
    """The content hashes of the loaded files whose cached Parquet is exactly ``data``.

    The loader caches the Parquet it parsed from a file under that file's hash
    (``cache/<hash>-v<N>.parquet``, the hash the app's ``?dataset=`` shows), and a run stores
    those very bytes. So a cache entry of the same size and SHA-256 (``digest``) names the file
    the user loaded. Only this machine's cache is looked at (no network); an entry cleared
    since, or a run launched elsewhere, gives nothing.
    """
    from pipeline.config import data_home
    from pipeline.hashing import content_hash
    from pipeline.loading.loaded_records import is_content_hash
    from pipeline.loading.remembered import CACHE_VERSION

    suffix = f"-v{CACHE_VERSION}.parquet"
    found = []
    try:
        entries = sorted((data_home() / "cache").glob(f"*{suffix}"))
    except OSError:
        return ()
    for entry in entries:
        name = entry.name[: -len(suffix)]
        try:
            if not is_content_hash(name) or entry.stat().st_size != len(data):
                continue
            if content_hash(entry) == digest:
                found.append(name)
        except OSError:
            continue
    return tuple(found)


def read_stored_dataset(storage: Any, uri: str) -> StoredDataset:
    """The run's dataset read back from storage; a ``problem`` sentence instead when it cannot be."""
    from pipeline.errors import StudioError
    from pipeline.hashing import content_hash
    from pipeline.loading.dataset import load_transactions

    if not uri:
        return StoredDataset(uri, problem="The execution input names no DataUri.")
    try:
        data = storage.read_bytes(uri)
    except FileNotFoundError:
        return StoredDataset(uri, problem=f"The dataset {uri} is no longer stored.")
    except Exception as error:  # S3: access denied, throttled...
        return StoredDataset(uri, problem=f"The dataset {uri} could not be read: {error}")
    try:
        transactions = load_transactions(data, name=uri.rsplit("/", 1)[-1], use_cache=False).transactions
    except StudioError as error:
        return StoredDataset(uri, content_hash(data), problem=f"The dataset could not be read: {error}")
    digest = content_hash(data)
    return StoredDataset(uri, digest, transactions, loaded_hashes=loaded_file_hashes(data, digest))


def gather(backend: Any, execution_arn: str) -> RunFacts:
    """Everything the report needs about ``execution_arn``; WorkflowError while it is still running."""
    description = backend.describe(execution_arn)
    status = description["status"]
    if not ExecutionStatus(status).is_terminal:
        raise WorkflowError(
            f"Run {description.get('name')} is still {status}: build its report once it has finished."
        )
    spec = workflow_of_description(description, backend)
    execution_input = execution_input_of(description)
    try:
        parameters = spec.parameters_from_input(execution_input)
    except (TypeError, ValueError):
        parameters = None
    return RunFacts(
        backend_name=backend.name,
        spec=spec,
        description=description,
        events=backend.history(execution_arn),
        definition=backend.state_machine_definition(description["stateMachineArn"]),
        execution_input=execution_input,
        parameters=parameters,
        dataset=read_stored_dataset(backend.storage, str(execution_input.get("DataUri") or "")),
        storage=backend.storage,
        versions=package_versions(),
    )
