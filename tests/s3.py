"""A real S3 HTTP API for the storage tests: moto's server (`ThreadedMotoServer`) on 127.0.0.1,
one per test session, and a fresh private bucket per test that the "uploads" storage is switched
to (`use_bucket`), as `JIANCE_S3_BUCKET` + `JIANCE_S3_ENDPOINT_URL` would (jiance/settings.py).
Nothing leaves the machine."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

_numbers = itertools.count(1)
KEYS = {"access_key": "jiance-test", "secret_key": "jiance-test-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEYS["access_key"],
                        aws_secret_access_key=KEYS["secret_key"], region_name=KEYS["region_name"])


@pytest.fixture
def bucket(settings: Any, s3_endpoint: str) -> str:
    """A new bucket, and the "uploads" storage on it (the options settings.py gives S3Storage)."""
    name = f"jiance-test-{next(_numbers)}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "uploads": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": name, "endpoint_url": s3_endpoint, **KEYS, "location": "jiance",
                    "addressing_style": "path", "signature_version": "s3v4", "default_acl": None,
                    "querystring_auth": True, "file_overwrite": True},
    }}
    return name


def objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    """Every object in the bucket, read straight from the S3 API (not through the platform)."""
    client = s3_client(endpoint)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {k: client.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}
