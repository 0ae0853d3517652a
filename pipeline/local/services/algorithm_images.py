"""Which built-in SageMaker algorithm a container image is, so the local stand-ins can dispatch.

SageMaker runs whatever image a training job names; the local backend can only run the
algorithms it stands in for. The images it accepts are not written here: they are what the
SageMaker Python SDK's ``image_uris.retrieve`` gives for each algorithm (the same call the
workflows use to build their requests), for the region the image names. Importing the SDK
costs seconds, so the table for a region is computed once per SDK version and kept in
``data_home()/cache/algorithm-images/`` (and in memory for the life of the process).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import uuid
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: The algorithms the local backend runs: SDK framework name -> image version (None: the SDK's default).
LOCAL_ALGORITHMS: dict[str, str | None] = {"kmeans": None, "xgboost": "1.7-1"}
#: ``ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/...``: the region an image lives in.
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.")

_lock = threading.Lock()


def algorithm_of(image: str) -> str | None:
    """``"kmeans"`` or ``"xgboost"`` for an image the local backend runs, else None."""
    return images_for_region(image_region(image)).get(image.strip())


def image_region(image: str) -> str:
    """The region of an ECR image URI, else the local region (an image with no registry host)."""
    from pipeline.local.services.sagemaker_common import local_region

    match = _ECR_IMAGE.match(image.strip())
    return match["region"] if match else local_region()


def unsupported_image_message(image: str) -> str:
    """Why ``image`` cannot run locally, naming the images that can (in the image's region)."""
    region = image_region(image)
    accepted = images_for_region(region)
    if not accepted:
        return (
            f"The image '{image}' cannot run on the local backend: the SageMaker Python SDK knows no "
            f"built-in algorithm images for the region '{region}'. The local backend runs "
            f"{_algorithm_names()}; build the request with sagemaker.image_uris.retrieve."
        )
    listed = ", ".join(f"{uri} ({name})" for uri, name in sorted(accepted.items(), key=lambda i: i[1]))
    return (
        f"The image '{image}' cannot run on the local backend, which stands in only for SageMaker's "
        f"built-in {_algorithm_names()}. In {region} those images are: {listed}."
    )


def _algorithm_names() -> str:
    return " and ".join(f"{name} {tag}" if tag else name for name, tag in sorted(LOCAL_ALGORITHMS.items()))


@cache
def images_for_region(region: str) -> dict[str, str]:
    """Image URI -> algorithm name, for every local algorithm the SDK has an image of in ``region``."""
    path = _cache_path(region)
    if path is not None:
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass  # not made yet (or unreadable): computed below
    with _lock:
        table = _retrieve_images(region)
    if path is not None:
        _write_atomically(path, json.dumps(table, indent=1, sort_keys=True))
    return table


def _retrieve_images(region: str) -> dict[str, str]:
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    logging.getLogger("sagemaker.config").setLevel(logging.WARNING)
    from sagemaker import image_uris  # seconds to import: only when the cache has no table

    table: dict[str, str] = {}
    for name, tag in LOCAL_ALGORITHMS.items():
        try:
            table[image_uris.retrieve(name, region, version=tag)] = name
        except ValueError:
            continue  # the SDK has no image of this algorithm in this region
    return table


def _cache_path(region: str) -> Path | None:
    if not re.fullmatch(r"[a-z0-9-]{1,40}", region):
        return None  # never a file name from an unexpected string
    try:
        sdk = version("sagemaker")
    except PackageNotFoundError:
        return None
    try:
        from pipeline.config import data_subdir

        folder = data_subdir("cache") / "algorithm-images" / f"sagemaker-{sdk}"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"{region}.json"


def _write_atomically(path: Path, text: str) -> None:
    """Write beside, then rename: a concurrent reader sees the whole file or none."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
