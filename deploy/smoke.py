"""Smoke test of the production server, run by CI (`make prod-smoke`) and after an upgrade.

It builds the demo into DATABASE_URL (PostgreSQL in CI; a throwaway SQLite file when unset), starts
`jiance serve --production` (gunicorn, WhiteNoise, production settings with throwaway keys) on a
free loopback port, and checks as nginx would pass requests on (`X-Forwarded-Proto: https`):
`/healthz` and `/readyz`; a login; every page of the navigation for a centre, a county and a school
account (a page per app); a hashed static file served compressed with a year's cache; a JSON log
line carrying the request id the server answered with. With `--restore-drill` (PostgreSQL) it then
backs up with deploy/backup.sh, restores with deploy/restore.sh into a new database and serves
that: the centre's pages must be the same. Exit status 1 names what failed.

    python deploy/smoke.py [--restore-drill]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import difflib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JIANCE = str(ROOT / ".venv" / "bin" / "jiance")
PASSWORD = "Jiance-Demo-2022!"
ACCOUNTS = ("centre.admin", "ncx.admin", "school.info")
# Pages whose content changes because someone logged in or looked (the audit log, the home page's
# notices, the people list's last logins): left out of the restore drill's comparison.
DIFFERS_AFTER_LOGIN = {"/", "/audit/", "/notifications/", "/accounts/people/"}  # people: last login
START_SECONDS = 90  # gunicorn with 2 workers starts in a few seconds; migrate + collectstatic before it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """HTTP on loopback with the headers nginx adds, and a cookie jar that keeps `Secure` cookies
    (the browser holds them over TLS; here TLS ends at the imagined proxy)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        hdrs = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "Accept-Language": "zh-CN",
                **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["Origin"] = f"https://127.0.0.1:{self.port}"
            hdrs["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        content = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, content


def follow(client: Client, path: str, hops: int = 4) -> tuple[int, str]:
    """GET, following the platform's own redirects (a nav entry often lands on the person's unit)."""
    for _ in range(hops):
        status, headers, _ = client.request("GET", path)
        location = headers.get("location", "")
        if status not in (301, 302) or not location.startswith("/"):
            return status, path
        path = location
    return status, path


def production_env(database_url: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "JIANCE_ENV": "production",
        "JIANCE_SECRET_KEY": secrets.token_urlsafe(50),
        "JIANCE_FIELD_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "JIANCE_ALLOWED_HOSTS": "127.0.0.1",
        "JIANCE_STATIC_ROOT": static_root,
        "JIANCE_MEDIA_ROOT": tempfile.mkdtemp(prefix="jiance-media-"),
        "JIANCE_SMOKE_LOG": tempfile.mkstemp(prefix="jiance-smoke-", suffix=".log")[1],
        "JIANCE_WEB_WORKERS": "2",
        "DATABASE_URL": database_url,
        "JIANCE_DEBUG": "0",
    })
    env.pop("JIANCE_NOW", None)
    return env


def check(failures: list[str], ok: bool, what: str) -> None:
    print(("  ok    " if ok else "  FAIL  ") + what)
    if not ok:
        failures.append(what)


def nav_links(html: str) -> list[str]:
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S)
    hrefs = re.findall(r'href="(/[^"#]*)"', nav.group(1) if nav else "")
    return sorted({h for h in hrefs if not h.startswith(("/static/", "/logout", "/i18n/"))})


def login(client: Client, username: str) -> bool:
    status, _, body = client.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        return False
    status, headers, _ = client.request("POST", "/login/", {
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()})
    return status == 302 and headers.get("location", "").rstrip("/") in ("", "/")


@contextlib.contextmanager
def production_server(env: dict[str, str], failures: list[str]) -> Iterator[int | None]:
    """`jiance serve --production` on a free port; yields the port once /healthz answers (None if
    it never did), and stops the server (SIGTERM to its process group) afterwards."""
    port = free_port()
    log_path = Path(env["JIANCE_SMOKE_LOG"])
    print(f"== jiance serve --production on 127.0.0.1:{port} (log {log_path})")
    with log_path.open("a") as log:
        server = subprocess.Popen([JIANCE, "serve", "--production", "--addr", f"127.0.0.1:{port}"],
                                  env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = Client(port)
        deadline = time.monotonic() + START_SECONDS
        up = False
        while time.monotonic() < deadline and server.poll() is None:
            try:
                up = client.request("GET", "/healthz", headers={"X-Forwarded-Proto": "http"})[0] == 200
            except OSError:
                up = False
            if up:
                break
            time.sleep(0.5)
        check(failures, up, "/healthz answers 200")
        yield port if up else None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def normalised(body: bytes) -> str:
    """A page without what differs per request (the CSRF token, the server's clock)."""
    html = body.decode()
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
    html = re.sub(r'(<meta name="jiance-now" content=")[^"]+', r"\1", html)
    return re.sub(r'("X-CSRFToken": ")[^"]+', r"\1", html)


def walk(port: int, failures: list[str], request_ids: list[str]) -> dict[str, str]:
    """/readyz, then each account logs in and opens every page of its navigation; the static file
    checks once. Returns the centre's pages (path → normalised HTML) for the restore drill."""
    status, _, body = Client(port).request("GET", "/readyz", headers={"X-Forwarded-Proto": "http"})
    check(failures, status == 200 and json.loads(body)["checks"]["database"] == "ok",
          f"/readyz answers 200 with the database reachable ({status} {body[:120]!r})")
    pages: dict[str, str] = {}
    for username in ACCOUNTS:
        client = Client(port)
        check(failures, login(client, username), f"{username} logs in")
        status, headers, body = client.request("GET", "/")
        check(failures, status == 200, f"{username}: home page 200")
        request_ids.append(headers.get("x-request-id", ""))
        html = body.decode()
        for link in nav_links(html):
            status, landed = follow(client, link)
            check(failures, status == 200, f"{username}: {link} → {landed} {status}")
            if username == ACCOUNTS[0] and status == 200 and landed not in DIFFERS_AFTER_LOGIN:
                pages[landed] = normalised(client.request("GET", landed)[2])
        css = re.search(r'href="(/static/jiance/jiance\.[0-9a-f]{12}\.css)"', html)
        check(failures, css is not None, f"{username}: the stylesheet has a hashed name")
        if css and username == ACCOUNTS[0]:
            status, headers, body = client.request("GET", css.group(1), headers={"Accept-Encoding": "gzip"})
            check(failures, status == 200 and headers.get("content-encoding") == "gzip",
                  f"{css.group(1)} served compressed ({status}, {headers.get('content-encoding')})")
            check(failures, "max-age=315360000" in headers.get("cache-control", ""),
                  f"hashed static file cached for years ({headers.get('cache-control')})")
    return pages


def restore_drill(env: dict[str, str], pages: dict[str, str], failures: list[str]) -> None:
    """Back up with deploy/backup.sh, restore with deploy/restore.sh into a new database and media
    folder, serve it, and compare the centre's pages with the ones served before the backup."""
    url = env["DATABASE_URL"]
    restored_name = url.rsplit("/", 1)[1] + "_restored"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{restored_name}"'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{restored_name}"'], check=True)
    # Where the demo keeps its uploads in the database, the media folder may be empty: put one file
    # there, as an upload would, so the drill proves files come back too.
    sentinel = Path(env["JIANCE_MEDIA_ROOT"]) / "drill" / "upload.bin"
    sentinel.parent.mkdir(parents=True, exist_ok=True)
    sentinel.write_bytes(os.urandom(4096))
    try:
        backup_env = {**env, "JIANCE_BACKUP_DIR": tempfile.mkdtemp(prefix="jiance-backup-"), "JIANCE_BACKUP_DAYS": "1"}
        out = subprocess.run([str(ROOT / "deploy" / "backup.sh")], env=backup_env, check=True, cwd=ROOT,
                             capture_output=True, text=True).stdout.split()
        check(failures, len(out) == 2 and all(Path(p).stat().st_size > 0 for p in out),
              f"backup.sh wrote the dump and the media archive ({out})")
        restored = {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + restored_name,
                    "JIANCE_MEDIA_ROOT": tempfile.mkdtemp(prefix="jiance-media-restored-")}
        subprocess.run([str(ROOT / "deploy" / "restore.sh"), *out], env=restored, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        media_before = sorted(p.relative_to(env["JIANCE_MEDIA_ROOT"]).as_posix()
                              for p in Path(env["JIANCE_MEDIA_ROOT"]).rglob("*") if p.is_file())
        media_after = sorted(p.relative_to(restored["JIANCE_MEDIA_ROOT"]).as_posix()
                             for p in Path(restored["JIANCE_MEDIA_ROOT"]).rglob("*") if p.is_file())
        check(failures, bool(media_after) and media_before == media_after
              and (Path(restored["JIANCE_MEDIA_ROOT"]) / "drill" / "upload.bin").read_bytes() == sentinel.read_bytes(),
              f"the uploaded files came back ({len(media_after)} files, same bytes)")
        with production_server(restored, failures) as port:
            if port is None:
                return
            client = Client(port)
            check(failures, login(client, ACCOUNTS[0]), "the restored platform: the centre logs in")
            same = 0
            for path, before in sorted(pages.items()):
                after = normalised(client.request("GET", path)[2])
                same += after == before
                check(failures, after == before, f"restored {path}: same page as before the backup")
                if after != before:
                    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
                    print("\n".join("        " + line[:160] for line in list(diff)[2:8]))
            print(f"   {same} of {len(pages)} pages identical after the restore")
    finally:
        subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{restored_name}"'], check=False)


def run(database_url: str, drill: bool) -> list[str]:
    failures: list[str] = []
    env = production_env(database_url, tempfile.mkdtemp(prefix="jiance-static-"))
    print("== building the demo data")
    subprocess.run([JIANCE, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    request_ids: list[str] = []
    pages: dict[str, str] = {}
    with production_server(env, failures) as port:
        if port is None:
            return failures
        pages = walk(port, failures, request_ids)
    lines = [json.loads(line) for line in Path(env["JIANCE_SMOKE_LOG"]).read_text().splitlines()
             if line.startswith("{")]
    logged_ids = {line.get("request_id") for line in lines if line.get("logger") == "jiance.request"}
    check(failures, bool(request_ids) and all(rid and rid in logged_ids for rid in request_ids),
          f"each answered X-Request-ID is in a JSON log line ({len(lines)} JSON lines)")
    if drill:
        print("== restore drill: backup.sh → a new database → restore.sh → the same pages")
        restore_drill(env, pages, failures)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--restore-drill", action="store_true",
                        help="then back up, restore into a new database and compare the pages (PostgreSQL)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        if args.restore_drill:
            parser.error("--restore-drill needs DATABASE_URL naming a PostgreSQL database")
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='jiance-smoke-')}/smoke.sqlite3"
    failures = run(database_url, args.restore_drill)
    print(f"== {len(failures)} failed" if failures else "== production smoke test passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
