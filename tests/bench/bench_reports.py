"""Benchmark: the PDF reports as the worker makes them (governance.reports.services.report_generate:
the generator's HTML, then programme.pdf.render_pdf with base_url=BASE_DIR).

1. The KPI report of the demo programme (`kpi_report.*`).
2. The call evaluation report (governance.reports.evaluation) of a call with 300
   admissible applications × 5 reviews × 4 criteria and consensus, made and deleted by
   bench_decisions._make_call / _delete_call (`evaluation_report_300.*`); skipped with a
   reason while the function is not there.
3. The KPI report of a large programme: 60 calls, 3,000 applications of 3–5 partners,
   a third funded (tests/bench/large_programme.py; built, measured, deleted), with its
   ratio to the demo programme's report of the same run (`kpi_report_large.*`).

For each report: the HTML time (split at the generator's progress steps into data and
template time), the PDF time, the total, pages, size and SQL queries; the peak Python
memory (tracemalloc, in a second run so tracing does not slow the timed one); and the
peak RSS of a fresh process that makes only that report (`child_peak_rss_mb`, with
`child_rss_after_setup_mb` = that process after django.setup(), before the report).
`process_max_rss_mb` is this bench process's high-water mark (every report and the
data building together). With the harness's `ctx` it also loads the KPI page and the
reports page over HTTP. It writes no report row and no file.

The order matters: the 300-application call is made before the large programme exists
(_make_call picks organisations by kind from the whole registry), and the large
programme is deleted before the function returns, so no other module sees its rows.
"""

import resource

from programme.demo import PROGRAMME_CODE
from programme.models import Programme
from tests.bench import large_programme, report_measure
from tests.bench.bench_decisions import _delete_call, _make_call

PM = "programmamanager@demo.icon"


def _report_figures(prefix: str, kind: str, pk: int, *, warm_up: bool = False) -> dict:
    make_html = report_measure.REPORTS[kind](pk, "nl")
    if warm_up:
        report_measure.measure(make_html)  # fonts, templates, WeasyPrint imports
    figures = report_measure.measure(make_html)
    figures["peak_python_mb"] = report_measure.peak_python_mb(make_html)
    child = report_measure.child_figures(kind, pk)
    figures["child_peak_rss_mb"] = child["peak_rss_mb"]
    figures["child_rss_after_setup_mb"] = child["rss_after_setup_mb"]
    figures["child_cold_total_ms"] = child["cold_total_ms"]
    return {f"{prefix}.{key}": value for key, value in figures.items()}


def _evaluation_report() -> dict:
    call = _make_call()
    try:
        return _report_figures("evaluation_report_300", "evaluation", call.pk)
    finally:
        _delete_call(call)


def _large_kpi_report(demo: dict) -> dict:
    programme = large_programme.build_large_programme()
    try:
        figures = _report_figures("kpi_report_large", "kpi", programme.pk)
        figures.update(_kpi_page_in_process(programme.pk, "kpi_page_large"))
    finally:
        large_programme.delete_large_programme()
    figures["kpi_report_large.calls"] = large_programme.CALLS
    figures["kpi_report_large.applications"] = large_programme.APPLICATIONS
    for key in ("total_ms", "pages", "peak_python_mb", "child_peak_rss_mb"):
        large, small = figures[f"kpi_report_large.{key}"], demo[f"kpi_report.{key}"]
        figures[f"kpi_report_large.{key}_ratio_to_demo"] = (
            round(large / small, 1) if small else None
        )
    return figures


def _kpi_page_in_process(pk: int, prefix: str) -> dict:
    """The KPI page of a programme through Django's test client (the large programme
    exists only inside this module, after the gunicorn server's warm-up): median of 5
    loads and the query count."""
    import statistics
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from programme.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(User.objects.get(email=PM))
    path = f"/programmes/{pk}/kpis/"
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return {
        f"{prefix}.median_ms": round(statistics.median(timings), 1),
        f"{prefix}.queries": len(queries),
        f"{prefix}.kb": round(len(response.content) / 1024, 1),
    }


def run(ctx=None) -> dict:
    demo = Programme.objects.get(code=PROGRAMME_CODE)
    figures = _report_figures("kpi_report", "kpi", demo.pk, warm_up=True)
    english = report_measure.measure(report_measure.kpi_report(demo.pk, "en"))
    figures["kpi_report.en_total_ms"] = english["total_ms"]
    figures.update(_evaluation_report())
    figures.update(_large_kpi_report(figures))
    # ru_maxrss is in kilobytes on Linux.
    figures["process_max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    if ctx is not None:  # the harness's gunicorn server: the KPI page and the reports page
        for name, path in (
            ("kpi_page", f"/programmes/{demo.pk}/kpis/"),
            ("reports_page", "/reports/"),
        ):
            load = ctx.load(path, requests=200, concurrency=8, email=PM)
            for key in ("median_ms", "p95_ms", "rps", "errors"):
                figures[f"{name}.{key}"] = load[key]
            figures[f"{name}.queries"] = ctx.queries(path, email=PM)
    return figures
