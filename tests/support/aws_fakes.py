"""Shared helpers of the AWS tests: a moto account with the studio's prerequisites, and endpoints
on 127.0.0.1 that misbehave (never answer, refuse, or deny) for the error paths."""

from __future__ import annotations

import http.server
import io
import json
import os
import socket
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REGION = "us-east-1"
BUCKET = "rfm-studio-test-bucket"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})


def isolate_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real credentials, config, profile, metadata service or secrets file can leak in."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "RFM_AWS", "RFM_LAMBDA", "RFM_SAGEMAKER", "RFM_STATES", "RFM_STATE_")):
            monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)


def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@dataclass
class FakeAccount:
    """What a prepared moto account holds, and the env that points the studio at it."""

    sagemaker_role: str
    states_role: str
    lambda_role: str
    layer: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "RFM_AWS_REGION": REGION,
            "RFM_AWS_BUCKET": BUCKET,
            "RFM_SAGEMAKER_ROLE_ARN": self.sagemaker_role,
            "RFM_STATES_ROLE_ARN": self.states_role,
            "RFM_LAMBDA_ROLE_ARN": self.lambda_role,
            "RFM_LAMBDA_LAYER_ARN": self.layer,
        }


def prepare_account(bucket: bool = True) -> FakeAccount:
    """Inside mock_aws: the three roles, the bucket and a stand-in for the pandas layer."""
    import boto3

    iam = boto3.client("iam", region_name=REGION)
    roles = {
        name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        for name in ("rfm-sagemaker", "rfm-states", "rfm-lambda")
    }
    if bucket:
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    layer_zip = io.BytesIO()
    with zipfile.ZipFile(layer_zip, "w") as archive:
        archive.writestr("python/placeholder.py", "")
    layer = boto3.client("lambda", region_name=REGION).publish_layer_version(
        LayerName="AWSSDKPandas-Python311",
        Content={"ZipFile": layer_zip.getvalue()},
        CompatibleRuntimes=["python3.11"],
    )["LayerVersionArn"]
    return FakeAccount(roles["rfm-sagemaker"], roles["rfm-states"], roles["rfm-lambda"], layer)


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` that accepts connections (the kernel's backlog) and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


@contextmanager
def refused_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` where nothing listens: connections are refused."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"http://127.0.0.1:{port}"


@contextmanager
def denying_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` answering every request 403 Forbidden, as S3 does to strangers."""

    class Deny(http.server.BaseHTTPRequestHandler):
        def _deny(self) -> None:
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET = do_POST = do_PUT = _deny

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Deny)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
