"""The benchmark harness behind `make bench`.

It prepares a PostgreSQL bench database (migrated, demo data loaded), serves the app with
gunicorn in production mode (DEBUG off, collected static files) on loopback, and gives
each bench module a `Context`:

    ctx.load(path, *, requests=200, concurrency=8, email=None)
        -> {"median_ms", "p95_ms", "errors", "rps"}   (HTTP load on the gunicorn server)
    ctx.queries(path, *, email=None) -> int            (SQL queries of one GET, in-process)
    ctx.base_url                                        (http://127.0.0.1:<port>)

The Django ORM is set up on the same database, so a module may create rows first. This
machine is shared and noisy: compare figures of one run with each other (ratios), not
with figures of another day.
"""

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]


def production_env() -> dict:
    """Environment of the gunicorn server and of this process (same SECRET_KEY, so
    sessions made here are valid there)."""
    env = dict(os.environ)
    env.setdefault("BENCH_SECRET_KEY", secrets.token_urlsafe(50))
    env.update(
        DEBUG="false",
        SECRET_KEY=env["BENCH_SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def ensure_database(url: str) -> None:
    """A fresh bench database every run: figures never depend on what a previous run
    (or a failed one) left behind."""
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Context:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self._cookies: dict[str, str] = {}

    def session_cookie(self, email: str) -> str:
        """A logged-in session for `email`, made through Django's own login."""
        if email not in self._cookies:
            from django.conf import settings
            from django.test import Client

            from programme.models import User

            client = Client()
            client.force_login(User.objects.get(email=email))
            self._cookies[email] = (
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
        return self._cookies[email]

    def load(self, path: str, *, requests: int = 200, concurrency: int = 8, email=None) -> dict:
        host = urlparse(self.base_url)
        headers = {"Accept-Language": "nl", "X-Forwarded-Proto": "https"}
        if email:
            headers["Cookie"] = self.session_cookie(email)
        per_worker = [
            requests // concurrency + (1 if i < requests % concurrency else 0)
            for i in range(concurrency)
        ]

        def worker(count: int):
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
            timings, errors = [], 0
            for _ in range(count):
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        errors += 1
                except (OSError, http.client.HTTPException):
                    errors += 1
                    conn.close()
                    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                timings.append((time.perf_counter() - start) * 1000)
            conn.close()
            return timings, errors

        worker(min(5, requests))  # warm up caches and connections
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(worker, per_worker))
        elapsed = time.perf_counter() - started
        timings = sorted(t for r in results for t in r[0])
        return {
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "errors": sum(r[1] for r in results),
            "rps": round(len(timings) / elapsed, 1),
        }

    def queries(self, path: str, *, email=None) -> int:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from programme.models import User

        client = Client(HTTP_ACCEPT_LANGUAGE="nl", headers={"X-Forwarded-Proto": "https"})
        if email:
            client.force_login(User.objects.get(email=email))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} as {email}: {response.status_code}")
        return len(ctx.captured_queries)


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def prepare(env: dict) -> None:
    ensure_database(env["DATABASE_URL"])
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
