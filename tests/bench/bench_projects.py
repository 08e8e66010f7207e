"""Projects figures (`BENCH_ONLY=projects make bench`):

1. the staff list of submitted applications of a call with 1,000 applications (HTTP on
   gunicorn: median, p95, errors; and its SQL queries);
2. a burst of 100 submissions in the call's last minute, 8 at a time, as HTTP POSTs
   to the submit page: errors (must be 0), median and p95, wall time, and how many
   landed;
3. the snapshot PDF (WeasyPrint) per application, rendered in-process: median and p95.

Rows live in a separate 'bench' programme so the demo stays as it is. The 1,000
applications are topped up, not recreated; every run adds a new burst call with 100
applications. With REDIS_URL set and no worker, the PDF tasks of the burst stay queued.
"""

import http.client
import secrets
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

STAFF = "medewerker@vlaio.demo"
LIST_SIZE = 1000
BURST = 100
WRITERS = 8


def _percentiles(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }


def _bench_call(title: str, **fields):
    from django.utils import timezone

    from calls.enums import CallState
    from calls.models import Call, CallParameters
    from programme.models import Programme, ProgrammeYear

    programme, _ = Programme.objects.get_or_create(
        code="bench", defaults={"name_nl": "Benchprogramma", "name_en": "Bench programme"}
    )
    year, _ = ProgrammeYear.objects.get_or_create(programme=programme, year=2099)
    call = Call.objects.filter(programme_year=year, title_en=title).first()
    if call is None:
        now = timezone.now()
        call = Call.objects.create(
            programme=programme,
            programme_year=year,
            title_nl=title,
            title_en=title,
            opens_at=now - timedelta(days=1),
            state=CallState.OPEN,
            deadline=fields.get("deadline", now + timedelta(days=3650)),
        )
        CallParameters.objects.create(call=call)
    return call


def _ensure_list(call) -> None:
    """Top the call up to LIST_SIZE submitted applications of 4 partners (bulk rows: the
    list reads only applications, call, coordinator and the partner count)."""
    from programme.models import Organisation, User
    from projects.models import Application, Partner

    existing = Application.objects.filter(call=call).count()
    if existing >= LIST_SIZE:
        return
    organisations = list(Organisation.objects.order_by("pk")[:20])
    user = User.objects.get(email=STAFF)
    submitted_at = call.deadline - timedelta(days=1)
    apps = Application.objects.bulk_create(
        [
            Application(
                call=call,
                coordinator=organisations[i % len(organisations)],
                created_by=user,
                title=f"Bench project {i}",
                acronym=f"BENCH{i}",
                state="submitted",
                submitted_at=submitted_at - timedelta(minutes=i),
                receipt_number=f"BENCH-{call.pk}-{i:05d}",
                snapshot={"bench": True},
                total_cost=Decimal(1_000_000 + i),
                total_aid=Decimal(600_000 + i),
            )
            for i in range(existing, LIST_SIZE)
        ]
    )
    Partner.objects.bulk_create(
        [
            Partner(
                application=a,
                organisation=organisations[(i + k) % len(organisations)],
                part="company",
                is_coordinator=k == 0,
                contact=user,
                contact_email=user.email,
            )
            for i, a in enumerate(apps)
            for k in range(4)
        ]
    )


def _post(base_url: str, path: str, cookie: str) -> tuple[int, float]:
    host = urlparse(base_url)
    token = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    headers = {
        "Cookie": f"{cookie}; csrftoken={token}",
        "X-CSRFToken": token,
        "X-Forwarded-Proto": "https",
        "Origin": f"https://{host.hostname}:{host.port}",
        "Referer": f"https://{host.hostname}:{host.port}{path}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Language": "nl",
    }
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
    start = time.perf_counter()
    try:
        conn.request("POST", path, body="", headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        conn.close()
    return status, (time.perf_counter() - start) * 1000


def _burst(ctx) -> tuple[dict, list]:
    from django.conf import settings
    from django.utils import timezone

    from projects.models import Application
    from tests.builders import ready_application

    # Factory users get a fast hash; nobody logs in with a password here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call = _bench_call(
        f"Bench burst {timezone.now():%Y%m%d%H%M%S}", deadline=timezone.now() + timedelta(hours=1)
    )
    apps = [ready_application(call=call) for _ in range(BURST)]
    cookies = {a.pk: ctx.session_cookie(a.created_by.email) for a in apps}
    call.deadline = timezone.now() + timedelta(seconds=60)  # the last minute starts now
    call.save()
    results, lock = [], threading.Lock()

    def submit(application):
        status, ms = _post(
            ctx.base_url, f"/applications/{application.pk}/submit/", cookies[application.pk]
        )
        with lock:
            results.append((status, ms))

    started = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(submit, apps))
    wall = time.perf_counter() - started
    landed = Application.objects.filter(call=call, state="submitted").count()
    figures = {
        **{f"burst_{k}": v for k, v in _percentiles([ms for _s, ms in results]).items()},
        "burst_errors": sum(1 for status, _ms in results if status != 302),
        "burst_submitted": landed,
        "burst_wall_s": round(wall, 2),
    }
    return figures, apps


def _pdf(apps) -> dict:
    from projects import services

    timings = []
    for application in apps[:10]:
        start = time.perf_counter()
        services.application_render_pdf(application_id=application.pk)
        timings.append((time.perf_counter() - start) * 1000)
    return {f"pdf_{k}": v for k, v in _percentiles(timings).items()}


def run(ctx) -> dict:
    call = _bench_call("Bench list")
    _ensure_list(call)
    path = f"/admissibility/?call={call.pk}"
    figures = {
        f"staff_list_1000_{k}": v
        for k, v in ctx.load(path, requests=60, concurrency=4, email=STAFF).items()
    }
    figures["staff_list_1000_queries"] = ctx.queries(path, email=STAFF)
    burst, apps = _burst(ctx)
    figures.update(burst)
    figures.update(_pdf(apps))
    return figures
