"""gunicorn's settings for the production server (`jiance serve --production`, the systemd unit in
docs/deployment.md): `gunicorn -c python:jiance.gunicorn_conf jiance.wsgi:application`.

Each value can be changed through the environment (docs/deployment.md lists them)."""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("JIANCE_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short database work; a slow client is nginx's to buffer.
workers = int(os.environ.get("JIANCE_WEB_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("JIANCE_WEB_THREADS", "1"))
timeout = int(os.environ.get("JIANCE_WEB_TIMEOUT", "60"))  # long work goes to jobs, not requests
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so slow leaks never add up.
max_requests = int(os.environ.get("JIANCE_WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Only the proxy on this machine may say which scheme and client a request came with.
forwarded_allow_ips = os.environ.get("JIANCE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory, as gunicorn advises (a slow disk would make it think workers hung).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# The platform logs each request itself (jiance.requestlog, JSON with the request id).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("JIANCE_GUNICORN_LOG_LEVEL", "info")
proc_name = "jiance-web"
