"""The on-disk cache of SDK-built definitions: a hit needs no SDK, any change of its key rebuilds."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from support.probe_support import run_probe

from pipeline.config import PROJECT_ROOT
from pipeline.workflows import definition_cache
from pipeline.workflows.clustering.spec import CLUSTERING
from pipeline.workflows.definition_cache import load_or_build
from pipeline.workflows.spec import BuildSettings


@pytest.fixture
def counted():
    """The clustering workflow with its SDK builds counted."""
    builds = []

    def build(settings):
        builds.append(settings)
        return CLUSTERING.build(settings)

    return dataclasses.replace(CLUSTERING, build=build), builds


def test_the_cached_definition_is_the_sdk_built_one(counted):
    spec, _ = counted
    built = CLUSTERING.build(BuildSettings())

    load_or_build(spec, BuildSettings())
    stored = load_or_build(spec, BuildSettings())

    assert stored.definition() == built.definition()
    assert (stored.name, stored.role, stored.region) == (built.name, built.role, built.region)


def test_a_hit_reads_the_entry_without_building(counted):
    spec, builds = counted
    load_or_build(spec, BuildSettings())

    load_or_build(spec, BuildSettings())

    assert len(builds) == 1


def test_other_build_settings_rebuild(counted):
    spec, builds = counted
    load_or_build(spec, BuildSettings())

    other = load_or_build(spec, BuildSettings(region="eu-west-1"))

    assert len(builds) == 2
    assert "eu-west-1" in other.definition_json()


@pytest.mark.parametrize("changed", ["sdk_versions", "code_version"])
def test_another_sdk_or_code_version_rebuilds(counted, monkeypatch, changed):
    spec, builds = counted
    load_or_build(spec, BuildSettings())
    if changed == "sdk_versions":
        monkeypatch.setattr(
            definition_cache, "sdk_versions", lambda: {"stepfunctions": "9.9.9", "sagemaker": "2.0"}
        )
    else:
        monkeypatch.setattr(definition_cache, "code_version", lambda: "edited")

    load_or_build(spec, BuildSettings())

    assert len(builds) == 2
    assert len(list(definition_cache.cache_dir().glob("*.json"))) == 2


def test_the_code_version_changes_with_any_workflow_source(tmp_path, monkeypatch):
    for relative in definition_cache.CODE_PATHS:
        source = PROJECT_ROOT / relative
        if source.is_dir():
            shutil.copytree(source, tmp_path / relative)
        else:
            shutil.copy(source, tmp_path / relative)
    monkeypatch.setattr(definition_cache, "PROJECT_ROOT", tmp_path)
    definition_cache.code_version.cache_clear()
    before = definition_cache.code_version()
    steps = tmp_path / "pipeline" / "workflows" / "clustering" / "steps.py"
    steps.write_text(steps.read_text() + "\n# edited\n")
    definition_cache.code_version.cache_clear()

    after = definition_cache.code_version()

    definition_cache.code_version.cache_clear()
    assert after != before


def test_a_damaged_entry_is_rebuilt_and_rewritten(counted):
    spec, builds = counted
    load_or_build(spec, BuildSettings())
    (entry,) = definition_cache.cache_dir().glob("*.json")
    entry.write_text('{"name": "half a')

    stored = load_or_build(spec, BuildSettings())

    assert len(builds) == 2
    assert json.loads(entry.read_text())["definition"] == stored.definition_json()


def test_the_template_is_kept_in_the_entry(counted):
    spec, builds = counted
    first = load_or_build(spec, BuildSettings()).cloudformation_template("a description")

    again = load_or_build(spec, BuildSettings()).cloudformation_template("a description")

    assert again == first and "a description" in first
    assert len(builds) == 1


HIT_PROBE = """
import json, sys
from pipeline.backends.local import LocalBackend
from pipeline.workflows.registry import WORKFLOWS
backend = LocalBackend()
documents = backend.workflow_documents()
for spec in WORKFLOWS:
    backend.workflow_documents(spec)
checks = backend.preflight()
print(json.dumps({
    "definition": documents.definition,
    "template": documents.template,
    "checks": [check.ok for check in checks],
    "imported": sorted(name for name in ("stepfunctions", "sagemaker") if name in sys.modules),
}))
"""


def test_a_fresh_process_with_a_warm_cache_imports_neither_stepfunctions_nor_sagemaker(studio_home):
    from pipeline.backends.local import LocalBackend
    from pipeline.workflows.registry import WORKFLOWS

    backend = LocalBackend(client=object())  # builds every workflow with the SDK here: fills the cache
    for spec in WORKFLOWS:
        backend.workflow_documents(spec)
    documents = backend.workflow_documents()

    probe = run_probe(HIT_PROBE, studio_home, timeout=300)

    assert probe["imported"] == []
    assert probe["definition"] == documents.definition and probe["template"] == documents.template
    assert all(probe["checks"])


def test_botocore_enums_are_read_from_the_model_once_then_from_disk(monkeypatch):
    import botocore.session

    shapes = ("TrainingInstanceType", "TransformInstanceType")
    first = definition_cache.botocore_enums("sagemaker", shapes)
    model = botocore.session.get_session().get_service_model("sagemaker")
    assert first["TrainingInstanceType"] == list(model.shape_for("TrainingInstanceType").enum)

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded again")

    monkeypatch.setattr(botocore.session, "get_session", no_model)
    assert definition_cache.botocore_enums("sagemaker", shapes) == first
