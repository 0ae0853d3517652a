"""Day-first (UK) date exports, and S3 reads that always release their connection."""

from __future__ import annotations

import boto3
import pandas as pd
import pytest
from moto import mock_aws

from pipeline.errors import DataError
from pipeline.loading.dataset import load_transactions
from pipeline.loading.dates import parse_dates
from pipeline.loading.sources import fetch_s3


@pytest.fixture
def s3(monkeypatch):
    """moto's in-process S3 with fake credentials and a region."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="retail")
        yield client


class BodyRecorder:
    """The real S3 client, keeping each response body it hands out, to see if it was closed."""

    def __init__(self, client) -> None:
        self.client = client
        self.bodies: list = []

    def get_object(self, **kwargs):
        response = self.client.get_object(**kwargs)
        self.bodies.append(response["Body"])
        return response


@pytest.mark.parametrize("size", [500, 5000], ids=["read", "refused as too large"])
def test_s3_read_releases_its_connection_whether_the_object_is_read_or_refused(s3, size):
    s3.put_object(Bucket="retail", Key="data.csv", Body=b"x" * size)
    recorder = BodyRecorder(s3)

    try:
        fetch_s3("s3://retail/data.csv", max_bytes=1000, client=recorder)
    except DataError:
        assert size > 1000

    assert [body._raw_stream.closed for body in recorder.bodies] == [True]


def test_a_uk_export_with_day_first_dates_loads_the_same_dates_as_the_workbook(sample_xlsx):
    # The retailer is British: a CSV saved in a UK locale writes 1 December 2010 as 01/12/2010.
    workbook = load_transactions(sample_xlsx, use_cache=False).transactions
    uk = workbook.assign(InvoiceDate=workbook["InvoiceDate"].dt.strftime("%d/%m/%Y %H:%M"))

    loaded = load_transactions(uk.to_csv(index=False).encode(), use_cache=False).transactions

    pd.testing.assert_series_equal(loaded["InvoiceDate"], workbook["InvoiceDate"])


def test_dates_that_read_either_way_stay_month_first():
    parsed = parse_dates(pd.Series(["1/12/2010 8:26", "2/1/2011 9:00"], dtype="string"))

    assert list(parsed) == [pd.Timestamp("2010-01-12 08:26"), pd.Timestamp("2011-02-01 09:00")]
