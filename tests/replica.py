"""The read replica in tests: the alias "replica" added as a test mirror of "default" (what
settings.py does with JIANCE_READ_REPLICA_URL: `TEST: {"MIRROR": "default"}`), for the modules
that import `replica_alias`. A mirror is its own connection to the same test database, so the
tests using it commit their data (`transaction=True`) and name both databases (`ON_REPLICA`).

`queries(alias)` captures one alias's SQL; `tables(sql)` the tables a list of queries touched."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

import pytest
from django.db import connections

from jiance.replica import ALIAS

ON_REPLICA = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup: None) -> Iterator[None]:
    config = copy.deepcopy(connections["default"].settings_dict)  # the test database's, already set up
    config["TEST"] = {**config.get("TEST", {}), "MIRROR": "default"}
    connections.settings[ALIAS] = config
    try:
        yield
    finally:
        if hasattr(connections._connections, ALIAS):
            connections[ALIAS].close()
            del connections[ALIAS]
        del connections.settings[ALIAS]


def tables(queries: list[dict[str, str]]) -> set[str]:
    return {t for q in queries for t in re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', q["sql"])}


def writes(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
