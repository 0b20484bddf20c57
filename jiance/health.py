"""Health (`/healthz`: the process answers) and readiness (`/readyz`: it can do its work — the
database answers, the read replica and the S3 bucket of the files when configured, the shared
cache when one is configured, and the job queue) for the proxy, systemd and a
load balancer. Neither needs a login nor touches a session; both say `no-store`."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jiance import files, replica


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_replica() -> str:
    if not replica.configured():
        return "none"
    with connections[replica.ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        return "local"  # a per-process cache: nothing to reach
    cache.set("jiance:readyz", "1", timeout=5)
    if cache.get("jiance:readyz") != "1":
        raise RuntimeError("cache did not keep a value")
    return "ok"


def _check_jobs() -> str:
    """The job queue answers: the database backend's table, or the Redis of RQ (`ping`)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if "django_tasks_rq" in backend:
        import django_rq

        django_rq.get_connection("default").ping()
        return "ok"
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").exists()
    return "ok"


CHECKS = {"database": _check_database, "replica": _check_replica, "files": files.ping, "cache": _check_cache,
          "jobs": _check_jobs}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, else 503 naming the failing one (the error's class only: no
    connection strings in a public answer)."""
    results: dict[str, str] = {}
    ready = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception as exc:  # any failure means "not ready"
            results[name] = f"failed: {type(exc).__name__}"
            ready = False
        results[f"{name}_ms"] = f"{(time.perf_counter() - started) * 1000:.1f}"
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results},
                        status=200 if ready else 503)
