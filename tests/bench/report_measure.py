"""Measuring one PDF report the way the worker makes it (used by bench_reports).

A report is a function `make_html(progress) -> str` (the generator's HTML, with the
progress callback the worker passes) followed by `programme.pdf.render_pdf(html,
base_url=BASE_DIR)`, as governance.reports.services.report_generate does. `measure()` times both,
splits the HTML time at the generator's own progress steps, and counts the SQL queries;
`peak_python_mb()` runs it again under tracemalloc; `child_figures()` runs it in a fresh
Python process (this module as a script) and returns that process's peak RSS, so the
figure is the report's own and not the bench process's accumulated high-water mark.

The reports are named by `REPORTS` (kind → function(pk, language) -> make_html) so the
child can rebuild the same call from its command line.
"""

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MakeHtml = Callable[[Callable[[int, str], None]], str]
STAFF = "medewerker@vlaio.demo"


def kpi_report(programme_pk: int, language: str) -> MakeHtml:
    from django.utils import timezone

    from governance.reports import kpi_report
    from programme.models import Programme

    programme = Programme.objects.get(pk=programme_pk)
    return lambda progress: kpi_report.kpi_report_html(
        programme=programme,
        year=None,
        language=language,
        generated_at=timezone.now(),
        progress=progress,
    )


def evaluation_report(call_pk: int, language: str) -> MakeHtml:
    """As requested by VLAIO staff from the ranking page (the worker passes the
    requester as `viewer`; staff see every proposal, so nothing is masked)."""
    from django.utils import timezone

    from calls.models import Call
    from governance.reports.evaluation import evaluation_report_html
    from programme.models import User

    call = Call.objects.get(pk=call_pk)
    viewer = User.objects.get(email=STAFF)
    return lambda progress: evaluation_report_html(
        call=call,
        language=language,
        generated_at=timezone.now(),
        viewer=viewer,
        progress=progress,
    )


REPORTS = {"kpi": kpi_report, "evaluation": evaluation_report}


def _render(make_html: MakeHtml) -> dict:
    """One report: HTML (with the times of its progress steps) then the PDF."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programme.pdf import render_pdf

    steps: list[tuple[int, float]] = []
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        html = make_html(lambda percent, message: steps.append((percent, time.perf_counter())))
    rendered = time.perf_counter()
    pdf = render_pdf(html, base_url=str(settings.BASE_DIR))
    finished = time.perf_counter()
    return {
        "steps": [(percent, at - started) for percent, at in steps],
        "queries": len(queries),
        "html_s": rendered - started,
        "pdf_s": finished - rendered,
        "total_s": finished - started,
        "pages": pdf.page_count,
        "bytes": len(pdf.content),
        "html_bytes": len(html.encode()),
    }


def measure(make_html: MakeHtml) -> dict:
    """Figures of one report, in ms/kB. `data_ms` is the time from the generator's
    first progress step to its last (for the KPI report: computing the KPIs and the
    budget, 15 % → 40 %); `template_ms` the rest of the HTML time."""
    result = _render(make_html)
    steps = result["steps"]
    data_s = steps[-1][1] - steps[0][1] if len(steps) >= 2 else None
    return {
        "queries": result["queries"],
        "data_ms": round(data_s * 1000, 1) if data_s is not None else None,
        "template_ms": (round((result["html_s"] - steps[-1][1]) * 1000, 1) if steps else None),
        "html_ms": round(result["html_s"] * 1000, 1),
        "pdf_ms": round(result["pdf_s"] * 1000, 1),
        "total_ms": round(result["total_s"] * 1000, 1),
        "pages": result["pages"],
        "pdf_kb": round(result["bytes"] / 1024, 1),
        "html_kb": round(result["html_bytes"] / 1024, 1),
    }


def peak_python_mb(make_html: MakeHtml) -> float:
    """Peak of Python allocations (tracemalloc) while one report is made."""
    tracemalloc.start()
    try:
        _render(make_html)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 1)


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from
    the parent through fork and exec, so a child of the (large) bench process would
    report the parent's peak; VmHWM belongs to the new process's own memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child_figures(kind: str, pk: int, language: str = "nl") -> dict:
    """Make one report in a fresh Python process (same environment and database):
    its peak RSS, its RSS after django.setup() alone, and its (cold) total time."""
    completed = subprocess.run(
        [sys.executable, "-m", "tests.bench.report_measure", kind, str(pk), language],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"report child failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _child_main(kind: str, pk: str, language: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    baseline = _peak_rss_mb()
    result = _render(REPORTS[kind](int(pk), language))
    print(
        json.dumps(
            {
                "peak_rss_mb": round(_peak_rss_mb(), 1),
                "rss_after_setup_mb": round(baseline, 1),
                "cold_total_ms": round(result["total_s"] * 1000, 1),
                "pages": result["pages"],
            }
        )
    )


if __name__ == "__main__":  # python -m tests.bench.report_measure <kind> <pk> <language>
    _child_main(*sys.argv[1:4])
