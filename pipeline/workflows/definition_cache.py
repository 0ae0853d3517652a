"""SDK-built definitions kept on disk, so that opening a page or starting a command needs no SDK.

Importing ``stepfunctions`` (and with it ``sagemaker``) costs seconds, while what the pages and
the local engine use of a built workflow is text: the ASL definition and the CloudFormation
template. ``load_or_build`` keeps that text in ``data_home()/cache/definitions/<key>.json``;
the key hashes everything the text depends on: the workflow, its ``BuildSettings``, the source
of ``pipeline/workflows/`` (and the config and error modules it reads) and the installed
``stepfunctions`` and ``sagemaker`` versions. Any change gives a new key, so the workflow is
built again with the SDK; a hit imports neither. What truly needs the SDK's objects (creating
or updating a state machine through its ``Workflow``) builds them on first use.

``botocore_enums`` does the same for the enumerations the workflows' checks read from botocore's
service models (SageMaker's instance types): loading botocore and its 2.5 MB SageMaker model
costs seconds on a page; the entry is keyed by botocore's version.

The cache is an optimisation only: an unreadable or unwritable entry means building, never an
error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import PROJECT_ROOT, data_subdir
from pipeline.workflows.spec import BuildSettings, BuiltWorkflow, WorkflowSpec

#: Bumped when the entry's layout changes.
CACHE_FORMAT = 1
#: The distributions whose versions change what the SDK generates.
SDK_DISTRIBUTIONS = ("stepfunctions", "sagemaker")
#: Source the built text depends on, relative to the project root (folders: every .py below).
CODE_PATHS = ("pipeline/workflows", "pipeline/config.py", "pipeline/errors.py")


@functools.cache
def code_version() -> str:
    """SHA-256 of the source the workflows are built from (paths and bytes), computed once."""
    digest = hashlib.sha256()
    for relative in CODE_PATHS:
        path = PROJECT_ROOT / relative
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(PROJECT_ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


@functools.cache
def sdk_versions() -> dict[str, str]:
    """The installed SDK versions, read from their metadata (no SDK import)."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in SDK_DISTRIBUTIONS:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def cache_key(workflow: str, settings: BuildSettings) -> str:
    """The entry name for ``workflow`` built with ``settings`` by this code and these SDKs."""
    facts = {
        "format": CACHE_FORMAT,
        "workflow": workflow,
        "settings": asdict(settings),
        "code": code_version(),
        "sdk": sdk_versions(),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]


def cache_dir() -> Path:
    """Where the entries live: ``data_home()/cache/definitions``."""
    path = data_subdir("cache") / "definitions"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True, eq=False)
class StoredWorkflow:
    """A built workflow as text, with the SDK objects built only when asked for.

    It answers what :class:`BuiltWorkflow` answers (``definition``, ``definition_json``,
    ``cloudformation_template``, ``sdk_workflow``, ``graph``), so the backends use either.
    """

    name: str
    role: str
    region: str
    comment: str
    tags: tuple[dict[str, str], ...]
    definition_text: str
    #: CloudFormation templates already made, by description.
    templates: dict[str, str]
    #: The entry's file; None when it could not be written.
    path: Path | None
    #: Builds the workflow with the SDK (``spec.build(settings)``).
    build: Callable[[], BuiltWorkflow]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @functools.cached_property
    def sdk_built(self) -> BuiltWorkflow:
        """The SDK-built workflow (imports the SDK the first time)."""
        return self.build()

    @property
    def graph(self) -> Any:
        """The SDK's ``Graph`` of the steps."""
        return self.sdk_built.graph

    @property
    def execution_input(self) -> Any:
        """The SDK's ``ExecutionInput`` of the workflow."""
        return self.sdk_built.execution_input

    def definition_json(self) -> str:
        """The definition as the SDK sends it to ``CreateStateMachine`` (pretty JSON)."""
        return self.definition_text

    def definition(self) -> dict[str, Any]:
        """The ASL definition as a fresh dict (the caller may change it)."""
        return json.loads(self.definition_text)

    def sdk_workflow(self, client: Any = None, state_machine_arn: str | None = None) -> Any:
        """A new ``stepfunctions.workflow.Workflow`` (see ``BuiltWorkflow.sdk_workflow``)."""
        return self.sdk_built.sdk_workflow(client, state_machine_arn)

    def cloudformation_template(self, description: str) -> str:
        """The SDK's CloudFormation template; made once per description, then kept in the entry."""
        with self._lock:
            template = self.templates.get(description)
            if template is None:
                template = self.sdk_built.cloudformation_template(description)
                self.templates[description] = template
                if self.path is not None:
                    _write_entry(self.path, self._entry())
        return template

    def _entry(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "region": self.region,
            "comment": self.comment,
            "tags": [dict(tag) for tag in self.tags],
            "definition": self.definition_text,
            "templates": dict(self.templates),
        }


def load_or_build(spec: WorkflowSpec, settings: BuildSettings) -> StoredWorkflow:
    """``spec`` built for ``settings``: read from its cache entry, else built with the SDK and stored."""
    path = _entry_path(spec.name, settings)
    entry = _read_entry(path) if path is not None else None
    if entry is not None:
        return _stored(entry, path, lambda: spec.build(settings))
    built = spec.build(settings)
    entry = {
        "name": built.name,
        "role": built.role,
        "region": built.region,
        "comment": built.comment,
        "tags": [dict(tag) for tag in built.tags],
        "definition": built.definition_json(),
        "templates": {},
    }
    if path is not None and not _write_entry(path, entry):
        path = None
    stored = _stored(entry, path, lambda: built)
    stored.__dict__["sdk_built"] = built  # already built: the cached_property's value
    return stored


def _stored(entry: dict[str, Any], path: Path | None, build: Callable[[], BuiltWorkflow]) -> StoredWorkflow:
    return StoredWorkflow(
        name=entry["name"],
        role=entry["role"],
        region=entry["region"],
        comment=entry["comment"],
        tags=tuple(dict(tag) for tag in entry["tags"]),
        definition_text=entry["definition"],
        templates=dict(entry["templates"]),
        path=path,
        build=build,
    )


def _entry_path(workflow: str, settings: BuildSettings) -> Path | None:
    try:
        return cache_dir() / f"{workflow}-{cache_key(workflow, settings)}.json"
    except OSError:  # no usable data directory: build every time
        return None


_ENTRY_TYPES = {"name": str, "role": str, "region": str, "comment": str, "tags": list, "definition": str}


def _read_entry(path: Path) -> dict[str, Any] | None:
    """The entry at ``path`` when it is complete and well-formed, else None (build again)."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("templates"), dict):
        return None
    if any(not isinstance(entry.get(key), kind) for key, kind in _ENTRY_TYPES.items()):
        return None
    if not all(isinstance(tag, dict) for tag in entry["tags"]):
        return None
    try:
        json.loads(entry["definition"])
    except ValueError:
        return None
    return entry


def _write_entry(path: Path, entry: dict[str, Any]) -> bool:
    """Write ``entry`` atomically (a temporary file renamed), so readers never see half of it."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(entry, stream)
        os.replace(temporary, path)
        return True
    except OSError:
        return False


def botocore_enums(service: str, shapes: tuple[str, ...]) -> dict[str, list[str]]:
    """The enum values of ``shapes`` in botocore's ``service`` model, cached per botocore version."""
    from importlib.metadata import version

    facts = json.dumps({"service": service, "shapes": shapes, "botocore": version("botocore")})
    key = hashlib.sha256(facts.encode()).hexdigest()[:32]
    path: Path | None
    try:
        path = cache_dir() / f"enums-{service}-{key}.json"
    except OSError:
        path = None
    if path is not None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entry = None
        if isinstance(entry, dict) and all(isinstance(entry.get(shape), list) for shape in shapes):
            return entry
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    entry = {shape: list(model.shape_for(shape).enum) for shape in shapes}
    if path is not None:
        _write_entry(path, entry)
    return entry
