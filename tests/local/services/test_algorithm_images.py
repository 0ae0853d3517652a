"""Which images the local SageMaker stand-ins run: the SDK's images of each algorithm, by region."""

from __future__ import annotations

import json
import warnings
from importlib.metadata import version

import pytest

from pipeline.config import data_subdir
from pipeline.local.services import algorithm_images
from pipeline.local.services.algorithm_images import (
    algorithm_of,
    image_region,
    images_for_region,
    unsupported_image_message,
)


def sdk_image(framework: str, region: str, tag: str | None = None) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sagemaker import image_uris

        return image_uris.retrieve(framework, region, version=tag)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "cn-north-1"])
def test_the_accepted_images_are_the_sdks_kmeans_and_xgboost_1_7_1_of_the_region(region):
    assert images_for_region(region) == {
        sdk_image("kmeans", region): "kmeans",
        sdk_image("xgboost", region, "1.7-1"): "xgboost",
    }


def test_an_image_is_looked_up_in_the_region_its_registry_names():
    assert algorithm_of("141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1") == "xgboost"
    assert algorithm_of("438346466558.dkr.ecr.eu-west-1.amazonaws.com/kmeans:1") == "kmeans"
    assert algorithm_of("141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.5-1") is None


def test_an_image_without_a_registry_is_looked_up_in_the_local_region(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert image_region("kmeans:1") == "eu-central-1"
    assert image_region("../../etc/passwd") == "eu-central-1"
    assert algorithm_of("kmeans:1") is None


def test_the_table_is_kept_on_disk_per_sdk_version_and_read_back_without_the_sdk(monkeypatch):
    images_for_region.cache_clear()
    table = images_for_region("us-west-2")
    path = data_subdir("cache") / "algorithm-images" / f"sagemaker-{version('sagemaker')}" / "us-west-2.json"
    assert json.loads(path.read_text()) == table
    images_for_region.cache_clear()

    def no_sdk(region):
        raise AssertionError("the SDK was asked again")

    monkeypatch.setattr(algorithm_images, "_retrieve_images", no_sdk)
    assert images_for_region("us-west-2") == table
    images_for_region.cache_clear()


def test_a_region_the_sdk_does_not_know_has_no_images_and_says_so():
    message = unsupported_image_message(
        "123456789012.dkr.ecr.xx-nowhere-9.amazonaws.com/sagemaker-xgboost:1.7-1"
    )
    assert "knows no built-in algorithm images for the region 'xx-nowhere-9'" in message
    assert "kmeans and xgboost 1.7-1" in message
