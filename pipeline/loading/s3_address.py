"""An ``s3://bucket/key`` address taken apart, or one message saying how to write it.

Every mistake in an S3 address is found here, before any AWS call, and reads the way a bad
URL's does ("'<address>' ...: write it as ..."): the Data page checks the typed address with
it before it opens its "Loading" box (:func:`pipeline.loading.addresses.address_problem`), and
the loader with it before its GetObject, so the page, the command line and the library say the
same sentence. Before, ``s3://bucket`` got its message from the download, inside a "Loading
failed" box, while ``not-s3`` got a plain one; a bucket name with a space went to AWS.

The bucket must be a name botocore accepts (its own ``VALID_BUCKET`` rule: letters, digits,
``.``, ``-``, ``_``); the key is everything after the bucket's ``/``, as the AWS CLI reads it
(a ``?`` or ``#`` is part of the key, not a query or fragment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import DataError
from pipeline.loading.shown import shown_url

#: botocore.handlers.VALID_BUCKET (what boto3 sends to S3 at all), with S3's 3-character minimum.
_VALID_BUCKET = re.compile(r"[a-zA-Z0-9.\-_]{3,255}")
#: A bucket name that may be repeated in an example (the characters of one, any length up to 63).
_BUCKET_CHARACTERS = re.compile(r"[a-zA-Z0-9.\-_]{1,63}")
#: S3's longest key, in bytes of UTF-8.
MAX_KEY_BYTES = 1024
_EXAMPLE = "s3://bucket/path/to/file.xlsx"


@dataclass(frozen=True)
class S3Address:
    """A checked S3 address: bucket, key, and the form shown in messages."""

    bucket: str
    key: str
    shown: str

    @property
    def file_name(self) -> str:
        """The key's last part (``data.xlsx`` of ``s3://b/raw/data.xlsx``)."""
        return self.key.rsplit("/", 1)[-1]


def parse_s3_uri(uri: str) -> S3Address:
    """``uri`` as bucket and key, or a DataError saying what is wrong and how to write it."""
    shown = shown_url(uri)
    text = str(uri)
    if text[:5].lower() != "s3://":
        if text[:8].lower().startswith(("http://", "https://")):
            raise DataError(
                f"'{shown}' is a web address, not an S3 URI: load it as a URL, or write it as {_EXAMPLE}."
            )
        raise DataError(f"'{shown}' is not an S3 URI: write it as {_EXAMPLE}.")
    if any(not ch.isprintable() for ch in text):
        raise DataError(f"'{shown}' contains control characters: remove them.")
    bucket, _, key = text[5:].partition("/")
    if not bucket:
        raise DataError(f"'{shown}' names no bucket: write it as {_EXAMPLE}.")
    if "@" in bucket:
        raise DataError(
            f"'{shown}' holds a user name or password: S3 is read with the server's AWS credentials, "
            f"so write only the bucket and key, as in {_EXAMPLE}."
        )
    if not key:
        example = f"s3://{bucket}/path/to/file.xlsx" if _BUCKET_CHARACTERS.fullmatch(bucket) else _EXAMPLE
        raise DataError(f"'{shown}' names no object, only the bucket: write it as {example}.")
    if not _VALID_BUCKET.fullmatch(bucket):
        raise DataError(
            f"'{shown}' does not start with a valid bucket name: a bucket name has 3 to 63 letters, "
            f"digits, dots and hyphens, with no spaces or ':' (write it as {_EXAMPLE})."
        )
    if key.endswith("/"):
        raise DataError(
            f"'{shown}' names no object, only a folder: add the file's name, as in "
            f"{shown.rstrip('/')}/file.xlsx."
        )
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise DataError(
            f"'{shown}' has a key longer than S3 allows ({MAX_KEY_BYTES:,} bytes): check that it is the "
            "address of the file."
        )
    return S3Address(bucket, key, shown)
