"""The service models of the stand-ins' operations: botocore's own, cut down and cached per version."""

from __future__ import annotations

import json

import botocore
import botocore.session
import pytest

from pipeline.local.services.service_models import LOCAL_OPERATIONS, input_shape, local_subset, subset_of


def full_model(service: str) -> dict:
    return (
        botocore.session.get_session().get_component("data_loader").load_service_model(service, "service-2")
    )


def referenced(shape: dict) -> list[str]:
    names = [member["shape"] for member in shape.get("members", {}).values()]
    return names + [shape[part]["shape"] for part in ("member", "key", "value") if part in shape]


@pytest.mark.parametrize("service", sorted(LOCAL_OPERATIONS))
def test_the_subset_holds_botocores_shapes_unchanged_and_every_shape_they_reach(service):
    full = full_model(service)
    subset = subset_of(full, LOCAL_OPERATIONS[service])
    assert subset["metadata"] == full["metadata"]
    for name, shape in subset["shapes"].items():
        assert shape == full["shapes"][name]
        assert all(child in subset["shapes"] for child in referenced(shape))
    for operation in LOCAL_OPERATIONS[service]:
        assert subset["operations"][operation]["input"] == full["operations"][operation]["input"]


@pytest.mark.parametrize(
    "service, operation", [(s, o) for s, ops in sorted(LOCAL_OPERATIONS.items()) for o in ops]
)
def test_input_shapes_match_the_ones_a_boto3_session_uses(service, operation):
    ours = input_shape(service, operation)
    theirs = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape
    assert ours.required_members == theirs.required_members
    assert {n: (m.type_name, m.metadata) for n, m in ours.members.items()} == {
        n: (m.type_name, m.metadata) for n, m in theirs.members.items()
    }


def test_the_subset_is_cached_in_the_data_directory_per_botocore_version(studio_home):
    subset = local_subset("sagemaker")
    copy = studio_home / "cache" / "service-models" / f"botocore-{botocore.__version__}" / "sagemaker.json"
    assert json.loads(copy.read_text()) == subset
    assert len(copy.read_bytes()) < 400_000  # the whole model is several MB of JSON


def test_a_damaged_cached_copy_is_replaced_by_a_fresh_one(studio_home):
    expected = local_subset("lambda")
    copy = studio_home / "cache" / "service-models" / f"botocore-{botocore.__version__}" / "lambda.json"
    copy.write_text('{"shapes": ')
    assert local_subset("lambda") == expected
    assert json.loads(copy.read_text()) == expected


def test_the_cached_copy_is_what_later_loads_read(studio_home):
    copy = studio_home / "cache" / "service-models" / f"botocore-{botocore.__version__}" / "lambda.json"
    local_subset("lambda")
    marked = json.loads(copy.read_text())
    marked["metadata"]["serviceId"] = "Marked"
    copy.write_text(json.dumps(marked))
    assert local_subset("lambda")["metadata"]["serviceId"] == "Marked"


def test_without_a_writable_data_directory_the_model_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("RFM_STUDIO_HOME", str(blocker))
    assert "Invoke" in local_subset("lambda")["operations"]
