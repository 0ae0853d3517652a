"""botocore's service models of the APIs the local stand-ins answer, loaded fast.

Request validation needs the input shapes of four operations, but botocore's SageMaker model
is a 400 KB gzip of 2.5 MB of JSON: parsing it costs every worker process (one a run) 0.1-0.25 s.
So the shapes reachable from those operations (132 KB) are copied, once per botocore version,
into a JSON file under ``data_home()/cache/service-models/`` that later processes read instead.
The copy is made from botocore's own file by code, never edited, and is used only when the model
comes from botocore's ``data`` folder (not from ``~/.aws/models`` or ``AWS_DATA_PATH``, which may change
without a new botocore version). Any problem with the copy falls back to botocore's file.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import botocore
from botocore.loaders import create_loader
from botocore.model import ServiceModel, Shape

#: The operations the local stand-ins answer, by botocore service name.
LOCAL_OPERATIONS: dict[str, tuple[str, ...]] = {
    "sagemaker": ("CreateTrainingJob", "CreateModel", "CreateTransformJob"),
    "lambda": ("Invoke",),
}

_lock = threading.Lock()


def input_shape(service: str, operation: str) -> Shape:
    """The input shape of ``operation`` in botocore's model of ``service``."""
    subset = operation in LOCAL_OPERATIONS.get(service, ())
    return _service_model(service, subset).operation_model(operation).input_shape


@cache
def _service_model(service: str, subset: bool) -> ServiceModel:
    with _lock:  # two threads of one process load it once between them
        data = local_subset(service) if subset else _loader().load_service_model(service, "service-2")
        return ServiceModel(data, service_name=service)


@cache
def _loader():
    return create_loader(os.environ.get("AWS_DATA_PATH"))  # the search paths a boto3 session uses


def local_subset(service: str) -> dict[str, Any]:
    """The model restricted to ``LOCAL_OPERATIONS[service]``, from the cached copy when there is one."""
    path = _copy_path(service)
    if path is not None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # none yet, or unreadable: made again below
    data = subset_of(_loader().load_service_model(service, "service-2"), LOCAL_OPERATIONS[service])
    if path is not None:
        _write_atomically(path, json.dumps(data))
    return data


def subset_of(model: dict[str, Any], operations: tuple[str, ...]) -> dict[str, Any]:
    """``model`` with only ``operations`` (name, HTTP binding, input) and the shapes their inputs reach."""
    shapes = model["shapes"]
    kept: dict[str, Any] = {}
    pending = [model["operations"][name]["input"]["shape"] for name in operations]
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept[name] = shape = shapes[name]
        pending.extend(member["shape"] for member in shape.get("members", {}).values())
        pending.extend(shape[part]["shape"] for part in ("member", "key", "value") if part in shape)
    keep_fields = ("name", "http", "input")
    ops = {name: {k: model["operations"][name][k] for k in keep_fields if k in model["operations"][name]}
           for name in operations}  # fmt: skip
    return {"version": model.get("version"), "metadata": model["metadata"], "operations": ops, "shapes": kept}


def _copy_path(service: str) -> Path | None:
    """Where the subset of ``service`` is cached, or None when it must not be (model overridden,
    no writable data directory)."""
    loader = _loader()
    overrides = [
        p for p in loader.search_paths if Path(p).resolve() != Path(loader.BUILTIN_DATA_PATH).resolve()
    ]
    if any(Path(p, service).exists() for p in overrides):
        return None
    try:
        from pipeline.config import data_subdir

        folder = data_subdir("cache") / "service-models" / f"botocore-{botocore.__version__}"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"{service}.json"


def _write_atomically(path: Path, text: str) -> None:
    """Write beside, then rename: a concurrent reader sees the whole file or none."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
