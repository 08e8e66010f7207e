"""Benchmark: the KPI report of the demo programme, as the worker makes it.

`run(ctx)` expects Django set up on a bench database with `seed_demo` loaded (the
harness does both; `ctx` may be None to skip the HTTP part). It times the steps of one report (KPIs and budget queries, HTML,
WeasyPrint layout and PDF) and measures peak Python memory (tracemalloc, in a second
run so tracing does not slow the timed one) and the process's peak RSS. It writes no
report row and no file: the measured functions are the ones report_generate calls.
With the harness's `ctx` it also loads the KPI page and the reports page over HTTP.
"""

import resource
import time
import tracemalloc

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from programme import reports
from programme.demo import PROGRAMME_CODE
from programme.models import Programme
from programme.pdf import render_pdf


def _one_report(programme: Programme, language: str) -> dict:
    started = time.perf_counter()
    with translation.override(language), CaptureQueriesContext(connection) as queries:
        context = reports.kpi_report_context(programme, year=None)
    computed = time.perf_counter()
    html = reports.kpi_report_html(
        programme=programme, year=None, language=language, generated_at=timezone.now()
    )
    rendered = time.perf_counter()
    pdf = render_pdf(html)
    finished = time.perf_counter()
    return {
        "kpis": len(context["results"]),
        "queries": len(queries),
        "compute_s": computed - started,
        "html_s": rendered - computed,
        "pdf_s": finished - rendered,
        "total_s": finished - started,
        "pages": pdf.page_count,
        "bytes": len(pdf.content),
    }


PM = "programmamanager@demo.icon"


def run(ctx=None) -> dict:
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    _one_report(programme, "nl")  # warm-up: fonts, templates, WeasyPrint imports
    timed = _one_report(programme, "nl")
    english = _one_report(programme, "en")
    tracemalloc.start()
    try:
        _one_report(programme, "nl")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # ru_maxrss is in kilobytes on Linux.
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "kpi_report_kpis": timed["kpis"],
        "kpi_report_queries": timed["queries"],
        "kpi_report_compute_ms": round(timed["compute_s"] * 1000, 1),
        "kpi_report_html_ms": round(timed["html_s"] * 1000, 1),
        "kpi_report_pdf_ms": round(timed["pdf_s"] * 1000, 1),
        "kpi_report_total_ms": round(timed["total_s"] * 1000, 1),
        "kpi_report_en_total_ms": round(english["total_s"] * 1000, 1),
        "kpi_report_pages": timed["pages"],
        "kpi_report_pdf_kb": round(timed["bytes"] / 1024, 1),
        "kpi_report_peak_python_mb": round(peak / 2**20, 1),
        "process_max_rss_mb": round(max_rss_mb, 1),
    }
    if ctx is not None:  # the harness's gunicorn server: the KPI page and the reports page
        for name, path in (
            ("kpi_page", f"/programmes/{programme.pk}/kpis/"),
            ("reports_page", "/reports/"),
        ):
            load = ctx.load(path, requests=200, concurrency=8, email=PM)
            for key in ("median_ms", "p95_ms", "rps", "errors"):
                figures[f"{name}.{key}"] = load[key]
            figures[f"{name}.queries"] = ctx.queries(path, email=PM)
    return figures
