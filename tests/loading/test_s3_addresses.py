"""Every mistake in an S3 address gets one sentence, the same from the Data page's check and from
the loader, found before any AWS call: what is wrong and how to write it, as for a bad URL."""

from __future__ import annotations

import pytest

from pipeline.errors import DataError
from pipeline.loading.addresses import address_problem
from pipeline.loading.dataset import load_transactions
from pipeline.loading.s3_address import parse_s3_uri

#: (what the user typed, what the message must say)
MISTAKES = [
    ("not-s3", "'not-s3' is not an S3 URI: write it as s3://bucket/path/to/file.xlsx."),
    (
        "https://shop.s3.amazonaws.com/data.csv",
        "'https://shop.s3.amazonaws.com/data.csv' is a web address, not an S3 URI: load it as a URL",
    ),
    ("s3://", "'s3://' names no bucket: write it as s3://bucket/path/to/file.xlsx."),
    ("s3:///data.csv", "'s3:///data.csv' names no bucket"),
    ("s3://b", "'s3://b' names no object, only the bucket: write it as s3://b/path/to/file.xlsx."),
    ("s3://shop-data/", "'s3://shop-data/' names no object, only the bucket"),
    (
        "s3://shop-data/raw/",
        "'s3://shop-data/raw/' names no object, only a folder: add the file's name, as in "
        "s3://shop-data/raw/file.xlsx.",
    ),
    ("s3://shop data/x.csv", "'s3://shop data/x.csv' does not start with a valid bucket name"),
    ("s3://shop-data:443/x.csv", "'s3://shop-data:443/x.csv' does not start with a valid bucket name"),
    ("s3://ab/x.csv", "'s3://ab/x.csv' does not start with a valid bucket name"),
    ("s3://shop-data/x\x00.csv", "'s3://shop-data/x?.csv' contains control characters: remove them."),
    ("s3://shop-data/" + "k" * 1025, "has a key longer than S3 allows (1,024 bytes)"),
]

S3_MISTAKES = [(typed, expected) for typed, expected in MISTAKES if typed.startswith("s3://")]


class NoCalls:
    """An S3 client that fails the test if the loader calls it: address mistakes cost no AWS call."""

    def __getattr__(self, name):
        raise AssertionError(f"S3 was called ({name}) for an address that cannot be right")


@pytest.mark.parametrize("typed, expected", MISTAKES, ids=[typed[:30] for typed, _ in MISTAKES])
def test_the_data_page_check_says_what_is_wrong_with_an_s3_address(typed, expected):
    problem = address_problem("S3", typed)

    assert problem is not None and expected in problem


@pytest.mark.parametrize("typed, expected", S3_MISTAKES, ids=[typed[:30] for typed, _ in S3_MISTAKES])
def test_the_loader_refuses_an_s3_address_mistake_with_the_same_sentence_before_calling_s3(typed, expected):
    with pytest.raises(DataError) as raised:
        load_transactions(typed, s3_client=NoCalls(), use_cache=False)

    assert str(raised.value) == address_problem("S3", typed)


def test_credentials_in_an_s3_address_are_refused_and_never_repeated():
    problem = address_problem("S3", "s3://bob:hunter2@shop-data/x.csv")

    assert problem is not None and "user name or password" in problem
    assert "hunter2" not in problem and "bob" not in problem


def test_credentials_in_an_s3_address_without_a_key_are_not_repeated_in_the_example():
    problem = address_problem("S3", "s3://bob:hunter2@shop-data")

    assert problem is not None and "hunter2" not in problem


@pytest.mark.parametrize(
    "typed, bucket, key",
    [
        ("s3://shop-data/raw/retail.xlsx", "shop-data", "raw/retail.xlsx"),
        ("S3://Legacy_Bucket/a b/c.csv", "Legacy_Bucket", "a b/c.csv"),
        ("s3://shop-data/what?v=1#x.csv", "shop-data", "what?v=1#x.csv"),
    ],
)
def test_a_well_formed_s3_address_passes_with_its_key_as_written(typed, bucket, key):
    assert address_problem("S3", typed) is None
    address = parse_s3_uri(typed)
    assert (address.bucket, address.key) == (bucket, key)
