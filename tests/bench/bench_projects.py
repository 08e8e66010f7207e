"""Benchmarks of the projects app (not part of the test suite; no timed assertions).

1. The staff list of submitted applications with 1,000 applications: median and p95
   of the page time, and its number of queries.
2. A burst of 100 submissions in the call's last minute, 8 at a time: errors (must be
   0), median and p95 per submission, wall time. The PDF tasks are only queued (memory
   broker), as a web process does.
3. The snapshot PDF (WeasyPrint) per application: median and p95.

Run: DATABASE_URL=postgres://…/icon_bench python tests/bench/bench_projects.py
(`make bench` runs every tests/bench/bench_*.py through run.py when it exists). It works
in a throw-away test database (test_<name>), created and dropped here.
"""

import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(ms):
    return {"median_ms": round(statistics.median(ms), 1), "p95_ms": round(percentile(ms, 0.95), 1),
            "n": len(ms)}


def make_submitted(n, call):
    """`n` submitted applications of 4 partners each, written in bulk (the list reads
    only the application rows, their call, coordinator and partner count)."""
    from tests.factories import OrganisationFactory, StaffFactory  # noqa: F401
    from programme.models import Organisation
    from projects.models import Application, Partner
    from tests.projects.factories import CoordinatorFactory

    user = CoordinatorFactory()
    orgs = [OrganisationFactory() for _ in range(20)]
    now = call.deadline - timedelta(days=1)
    apps = Application.objects.bulk_create([
        Application(call=call, coordinator=orgs[i % 20], created_by=user, title=f"Bench project {i}",
                    acronym=f"BENCH{i}", state="submitted", submitted_at=now - timedelta(minutes=i),
                    receipt_number=f"BENCH-{i:05d}", snapshot={"bench": True},
                    total_cost=Decimal(1_000_000 + i), total_aid=Decimal(600_000 + i))
        for i in range(n)
    ])
    Partner.objects.bulk_create([
        Partner(application=a, organisation=orgs[(i + k) % 20], part="company",
                is_coordinator=k == 0, contact=user, contact_email=user.email)
        for i, a in enumerate(apps) for k in range(4)
    ])
    assert Organisation.objects.count() >= 20
    return apps


def bench_staff_list(call):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import StaffFactory

    make_submitted(1000, call)
    client = Client()
    client.force_login(StaffFactory())
    client.get("/admissibility/")  # warm-up
    times = []
    for _ in range(15):
        start = time.perf_counter()
        response = client.get("/admissibility/")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get("/admissibility/")
    page = response.context["page_obj"]
    return {**summary(times), "queries": len(ctx.captured_queries),
            "rows_on_page": len(page.object_list), "total": page.paginator.count}


def bench_burst(call_factory):
    from django.db import connection
    from django.utils import timezone

    from config.celery import app as celery_app
    from projects import services
    from projects.models import Application
    from tests.projects.factories import ready_application

    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    call = call_factory(deadline=timezone.now() + timedelta(minutes=10))
    apps = [ready_application(call=call) for _ in range(100)]
    call.deadline = timezone.now() + timedelta(seconds=60)  # the last minute starts now
    call.save()
    latencies, errors, lock = [], [], threading.Lock()

    def submit(application):
        start = time.perf_counter()
        try:
            services.application_submit(actor=application.created_by, application=application)
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            with lock:
                errors.append(repr(exc))
        finally:
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
            connection.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, apps))
    wall = time.perf_counter() - start
    submitted = Application.objects.filter(call=call, state="submitted").count()
    return {**summary(latencies), "errors": len(errors), "error_samples": errors[:3],
            "submitted": submitted, "wall_s": round(wall, 2)}, apps


def bench_pdf(apps):
    from projects import services

    times = []
    for application in apps[:15]:
        start = time.perf_counter()
        services.application_render_pdf(application_id=application.pk)
        times.append((time.perf_counter() - start) * 1000)
    return summary(times)


def run() -> dict:
    import tempfile

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        raise SystemExit("bench_projects needs PostgreSQL: set DATABASE_URL")
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-media-"))
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from tests.projects.factories import CallFactory

        results = {"staff_list_1000": bench_staff_list(CallFactory())}
        results["burst_100_last_minute"], apps = bench_burst(CallFactory)
        results["snapshot_pdf"] = bench_pdf(apps)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return results


if __name__ == "__main__":
    print(json.dumps({"projects": run()}, indent=2))
