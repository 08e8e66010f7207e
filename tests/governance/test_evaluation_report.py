"""The call evaluation report and the exports of scores and decisions.

One hand-built call whose figures are worked out here:

    3 criteria (weights 1, 2, 1; thresholds 3 each; overall threshold 10), envelope €1,000,000

    acronym  consensus  total  weighted  aid        rank  why
    ALPHA    5 4 4      13     17        400,000    1     ties BETA at 17, higher criterion 1
    BETA     4 5 3      12     17        400,000    2
    GAMMA    3 3 4      10     13        400,000    3     ties DELTA at 13, higher criterion 1
    DELTA    2 4 3       9     13        400,000    4     below criterion 1 and overall threshold

    Cut (rank order, €1,000,000): ALPHA, BETA funded (€200,000 left), GAMMA reserve,
    DELTA below the thresholds.

Reviews: r1 submitted ALPHA (5,4,4) and BETA (4,5,3); r2 submitted ALPHA (4,4,5);
`conflicted` declared a conflict on GAMMA (assignment withdrawn); a detected conflict on
DELTA. So: 2 reviewers, 3 assignments, 3 submitted, 1 withdrawn, 1 + 1 conflicts.
Individual scores: criterion 1 → 5:1, 4:2; criterion 2 → 4:2, 5:1; criterion 3 → 3:1, 4:1, 5:1.
"""

import csv
import io
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.bodies.enums import BodyKind
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.models import ConflictDeclaration, ReviewAssignment
from governance.reports import services as reports
from governance.reports.evaluation import evaluation_data, evaluation_report_html
from governance.review.enums import AssignmentState, ConflictSource
from programme.models import GeneratedReport, ReportKind, ReportState
from programme.pdf import render_pdf
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    submitted_assignment,
)
from tests.factories import CouncilFactory, ProgrammeManagerFactory, StaffFactory, SteeringFactory
from tests.pdf import pdf_text

ACRONYMS = ["ALPHA", "BETA", "GAMMA", "DELTA"]


class World:
    def __init__(self):
        self.call = evaluation_call(criteria=((1, 3), (2, 3), (1, 3)), envelope=Decimal("1000000"))
        self.apps = {}
        for acronym, scores in zip(
            ACRONYMS, [(5, 4, 4), (4, 5, 3), (3, 3, 4), (2, 4, 3)], strict=True
        ):
            application = admissible_application(
                self.call, aid="400000", acronym=acronym, title=f"Project {acronym.title()}"
            )
            consensus(application, scores, comment=f"Consensus on {acronym}")
            self.apps[acronym] = application
        self.r1, self.r2 = CouncilFactory(), CouncilFactory()
        submitted_assignment(self.apps["ALPHA"], ["5", "4", "4"], reviewer=self.r1)
        submitted_assignment(self.apps["BETA"], ["4", "5", "3"], reviewer=self.r1)
        submitted_assignment(self.apps["ALPHA"], ["4", "4", "5"], reviewer=self.r2)
        self.conflicted = CouncilFactory()
        ReviewAssignment.objects.create(
            application=self.apps["GAMMA"],
            reviewer=self.conflicted,
            state=AssignmentState.WITHDRAWN,
        )
        ConflictDeclaration.objects.create(
            application=self.apps["GAMMA"],
            reviewer=self.conflicted,
            has_conflict=True,
            reason="My former employer",
            source=ConflictSource.DECLARED,
        )
        ConflictDeclaration.objects.create(
            application=self.apps["DELTA"],
            reviewer=CouncilFactory(),
            has_conflict=True,
            reason="Partner organisation",
            source=ConflictSource.DETECTED,
        )

    def decide(self):
        """ALPHA funded 400,000; BETA funded 350,000; GAMMA reserve; DELTA rejected."""
        meeting = meeting_with_quorum(self.call.programme, BodyKind.STEERING_GROUP)
        staff = StaffFactory()
        for acronym, outcome, amount in [
            ("ALPHA", DecisionOutcome.FUND, "400000"),
            ("BETA", DecisionOutcome.FUND, "350000"),
            ("GAMMA", DecisionOutcome.RESERVE, None),
            ("DELTA", DecisionOutcome.REJECT, None),
        ]:
            decisions.decision_record(
                actor=staff,
                application=self.apps[acronym],
                meeting=meeting,
                outcome=outcome,
                amount=Decimal(amount) if amount else None,
                decided_by="Jan Peeters, administrator-general",
                motivation=f"Why {acronym}",
            )


@pytest.fixture
def world(db):
    return World()


def _acronyms(rows) -> list[str]:
    return [r.application.acronym for r in rows]


# --- The figures ----------------------------------------------------------------------------


def test_figures_before_the_decisions(world):
    data = evaluation_data(world.call)

    assert [(r.rank, r.application.acronym) for r in data.ranking.rows] == [
        (1, "ALPHA"),
        (2, "BETA"),
        (3, "GAMMA"),
        (4, "DELTA"),
    ]
    assert [r.figures.weighted_total for r in data.ranking.rows] == [17, 17, 13, 13]
    assert [r.total for r in data.ranking.rows] == [13, 12, 10, 9]
    assert [r.figures.passes for r in data.ranking.rows] == [True, True, True, False]
    assert data.decided is False
    assert _acronyms(data.funded) == ["ALPHA", "BETA"]  # the plain cut while undecided
    assert data.funded_aid == Decimal("800000")
    assert (data.reserve, data.declined, data.masked) == ([], [], 0)
    review = data.review
    assert (review.reviewers, review.assignments, review.submitted, review.withdrawn) == (
        2,
        3,
        3,
        1,
    )
    assert (review.conflicts_declared, review.conflicts_detected, review.conflicts) == (1, 1, 2)
    states = dict(data.states)
    assert states["Admissible"] == 4


def test_score_distribution_counts_every_submitted_individual_score(world):
    data = evaluation_data(world.call)

    by_value = {row[0]: row[1:] for row in data.distribution.rows}
    assert [c.label for c in data.distribution.columns] == [
        "Score",
        "Crit. 1",
        "Crit. 2",
        "Crit. 3",
    ]
    assert len(by_value) == 11  # 0, 0.5, …, 5
    assert by_value[Decimal("5")] == [1, 1, 1]
    assert by_value[Decimal("4")] == [2, 2, 1]
    assert by_value[Decimal("3")] == [0, 0, 1]
    assert sum(sum(v) for v in by_value.values()) == 9  # 3 reviews × 3 criteria


def test_totals_distribution_in_bands_split_by_the_overall_threshold(world):
    data = evaluation_data(world.call)

    # 3 criteria on 0–5: totals 0–15 in bands of 2 points.
    rows = {label: (below, reaching) for label, below, reaching in data.totals_distribution.rows}
    assert list(rows) == ["0–2", "2–4", "4–6", "6–8", "8–10", "10–12", "12–14", "14–15"]
    assert rows["8–10"] == (1, 0)  # DELTA, 9
    assert rows["10–12"] == (0, 1)  # GAMMA, 10
    assert rows["12–14"] == (0, 2)  # BETA 12, ALPHA 13
    assert sum(b + r for b, r in rows.values()) == 4


def test_summaries_carry_partners_consensus_and_the_spread_of_reviews(world):
    data = evaluation_data(world.call)

    alpha = data.summaries[0]
    assert alpha.row.application.acronym == "ALPHA"
    spreads = [(s.count, s.minimum, s.maximum, s.mean) for _c, _s, s in alpha.criteria]
    assert spreads == [
        (2, 4, 5, Decimal("4.50")),
        (2, 4, 4, Decimal("4.00")),
        (2, 4, 5, Decimal("4.50")),
    ]
    assert len(alpha.partners) == 3  # coordinator, a large company, a research organisation
    assert alpha.cost == sum((f.cost for _p, f in alpha.partners), Decimal("0")) > 0
    assert [s.count for _c, _s, s in data.summaries[2].criteria] == [0, 0, 0]  # GAMMA


def test_figures_after_the_decisions(world):
    world.decide()

    data = evaluation_data(world.call)

    assert data.decided is True
    assert _acronyms(data.funded) == ["ALPHA", "BETA"]
    assert data.funded_aid == Decimal("750000")  # granted, not requested
    assert _acronyms(data.reserve) == ["GAMMA"]
    table = {row[1]: row for row in data.table.rows}
    assert table["BETA"][-3:] == ["Funded", Decimal("350000.00"), None]
    assert table["DELTA"][-3:] == ["Rejected", None, None]


def test_a_conflicted_viewer_sees_neither_the_row_nor_the_summary(world):
    data = evaluation_data(world.call, viewer=world.conflicted)

    gamma = next(r for r in data.ranking.rows if r.rank == 3)
    assert gamma.conflicted and data.masked == 1
    assert "GAMMA" not in [s.row.application.acronym for s in data.summaries]
    # Only that it exists: after the ranked rows, without its rank (issue 18, item 4).
    masked_row = data.table.rows[-1]
    assert masked_row[:3] == [None, "—", "Not shown: conflict of interest"]
    assert set(masked_row[3:]) == {None}
    assert 3 not in [row[0] for row in data.table.rows]
    html = evaluation_report_html(
        call=world.call, language="en", generated_at=timezone.now(), viewer=world.conflicted
    )
    assert "GAMMA" not in html and "Project Gamma" not in html and "Consensus on GAMMA" not in html
    # Staff are never masked.
    assert evaluation_data(world.call, viewer=StaffFactory()).masked == 0


# --- The PDF ----------------------------------------------------------------------------------


def test_pdf_has_the_ranking_the_selection_and_one_page_per_application(world):
    world.decide()
    html = evaluation_report_html(call=world.call, language="en", generated_at=timezone.now())

    pdf = render_pdf(html)

    text = pdf_text(pdf.content)
    assert "Call evaluation report" in text
    assert re.search(r"Reviews submitted\s+3", text)
    assert re.search(r"Conflicts of interest declared by reviewers\s+1", text)
    assert re.search(r"≥\s?3\b", text) and re.search(r"≥\s?10\b", text)  # the thresholds
    ranking = [
        line for line in text.splitlines() if re.match(r"\s*\d\s+(ALPHA|BETA|GAMMA|DELTA)\s", line)
    ]
    assert [line.split()[1] for line in ranking[:4]] == ACRONYMS
    assert re.search(r"2 projects\s+€ 750,000", text)
    # The last pages are the applications' summaries, one per page, in rank order.
    for offset, acronym in enumerate(ACRONYMS):
        page = pdf_text(
            pdf.content, first=pdf.page_count - 3 + offset, last=pdf.page_count - 3 + offset
        )
        assert f"{offset + 1}. {acronym}: Project {acronym.title()}" in page
        assert f"Consensus on {acronym}" in page
        others = set(ACRONYMS) - {acronym}
        assert not any(f"{other}: Project" in page for other in others)


def test_pdf_in_dutch(world):
    html = evaluation_report_html(call=world.call, language="nl", generated_at=timezone.now())

    text = pdf_text(render_pdf(html).content)

    assert "Evaluatierapport van de oproep" in text
    assert "Rangschikking" in text
    assert "€ 800.000" in text  # ALPHA + BETA above the cut line, Dutch grouping


@pytest.mark.worker
def test_real_worker_on_redis_makes_the_evaluation_report(celery_worker_on_redis):
    world = World()
    world.decide()
    manager = ProgrammeManagerFactory()

    report = reports.report_request(
        actor=manager,
        kind=ReportKind.CALL_EVALUATION,
        parameters={"programme": world.call.programme_id, "call": world.call.pk, "language": "nl"},
    )
    for _ in range(240):  # bounded wait for the worker thread
        report.refresh_from_db()
        if report.state in (ReportState.DONE, ReportState.FAILED):
            break
        time.sleep(0.5)

    assert (report.state, report.error_message) == (ReportState.DONE, "")
    assert report.parameters["year"] == world.call.programme_year.year
    content = (Path(settings.MEDIA_ROOT) / report.file.name).read_bytes()
    text = pdf_text(content)
    assert "Evaluatierapport van de oproep" in text
    assert re.search(r"2 projecten\s+€ 750\.000", text)
    assert f"pagina 1 van {report.page_count}" in text
    assert "GAMMA" in text.split("Reservelijst")[-1] or "GAMMA" in text


# --- Exports: the same figures as the PDF -------------------------------------------------------


def _numbers(line: str) -> list[Decimal]:
    return [
        Decimal(n.replace(",", ".")) for n in re.findall(r"(?<![\w.])\d+(?:,\d+)?(?![\w])", line)
    ]


def test_pdf_csv_and_xlsx_give_the_same_scores_and_decisions(client, world):
    world.decide()
    client.force_login(ProgrammeManagerFactory())
    pdf = render_pdf(
        evaluation_report_html(call=world.call, language="nl", generated_at=timezone.now())
    )
    text = pdf_text(pdf.content)

    workbook = load_workbook(
        io.BytesIO(client.get(reverse("evaluation_export", args=[world.call.pk, "xlsx"])).content)
    )
    sheet = list(workbook.active.iter_rows(min_row=3, values_only=True))
    rows_csv = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("evaluation_export", args=[world.call.pk, "csv"])
                ).content.decode("utf-8-sig")
            )
        )
    )

    assert [r[1] for r in sheet] == ACRONYMS
    assert [r[1] for r in rows_csv[1:]] == ACRONYMS
    for xlsx_row, csv_row in zip(sheet, rows_csv[1:], strict=True):
        rank, acronym = xlsx_row[0], xlsx_row[1]
        scores = [Decimal(str(v)) for v in xlsx_row[4:9]]  # 3 criteria, total, weighted total
        assert [Decimal(v) for v in csv_row[4:9]] == scores
        line = next(
            line for line in text.splitlines() if re.match(rf"\s*{rank}\s+{acronym}\s", line)
        )
        # Rank, the three consensus scores, total, weighted total, then the requested aid.
        assert _numbers(line)[:6] == [Decimal(rank), *scores]
    # The partners' cost and aid: the same on ALPHA's summary page as in the workbook.
    alpha_page = text[text.index("1. ALPHA: Project Alpha") : text.index("2. BETA: Project Beta")]
    partners = [
        r for r in workbook["Partners"].iter_rows(min_row=2, values_only=True) if r[1] == "ALPHA"
    ]
    assert len(partners) == 3
    for _rank, _acronym, name, _kind, _sme, cost, aid in partners:
        consortium = alpha_page.split("Consortium", 1)[1]
        row = next(line for line in consortium.splitlines() if name[:20] in line)
        assert f"€ {round(cost):,}".replace(",", ".") in row
        assert f"€ {round(aid):,}".replace(",", ".") in row
    granted = {r[1]: r[14] for r in sheet}
    assert (granted["ALPHA"], granted["BETA"]) == (400000, 350000)
    assert re.search(r"2 projecten\s+€ 750\.000", text)
    assert sum(v for v in granted.values() if v) == 750000


def test_export_query_count_does_not_grow_with_the_applications(client, world, query_count):
    client.force_login(StaffFactory())
    url = reverse("evaluation_export", args=[world.call.pk, "xlsx"])

    few = query_count(client.get, url)
    for i in range(5):
        application = admissible_application(world.call, aid="100000", acronym=f"MORE{i}")
        consensus(application, [3, 3, 4])
        submitted_assignment(application, ["3", "3", "4"], reviewer=world.r1)
    assert query_count(client.get, url) == few


def test_export_masks_the_viewers_conflicts(client, world):
    steering = SteeringFactory()
    ConflictDeclaration.objects.create(
        application=world.apps["BETA"],
        reviewer=steering,
        has_conflict=True,
        reason="Board member",
        source=ConflictSource.DECLARED,
    )
    client.force_login(steering)

    body = client.get(reverse("evaluation_export", args=[world.call.pk, "csv"])).content.decode()

    assert "BETA" not in body and "Project Beta" not in body
    assert "ALPHA" in body


def test_export_of_an_unknown_format_is_404(client, world):
    client.force_login(StaffFactory())

    assert client.get(reverse("evaluation_export", args=[world.call.pk, "pdf"])).status_code == 404


# --- Asking for the report ---------------------------------------------------------------------


def test_reports_page_requests_an_evaluation_report(
    client, world, django_capture_on_commit_callbacks
):
    manager = ProgrammeManagerFactory()
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_list"),
            {
                "kind": "call_evaluation",
                "evaluation-call": world.call.pk,
                "evaluation-language": "en",
            },
        )

    assert response.status_code == 302
    report = GeneratedReport.objects.get()
    assert (report.kind, report.state) == (ReportKind.CALL_EVALUATION, ReportState.DONE)
    assert report.parameters == {
        "programme": world.call.programme_id,
        "call": world.call.pk,
        "year": world.call.programme_year.year,
        "language": "en",
    }
    page = client.get(reverse("report_list")).content.decode()
    assert reverse("report_download", args=[report.pk]) in page
    assert world.call.title in page
    download = client.get(reverse("report_download", args=[report.pk]))
    assert f"call-{world.call.pk}" in download["Content-Disposition"]


def test_reports_page_refuses_an_open_call_and_keeps_the_choice(client, world):
    from calls.enums import CallState

    open_call = evaluation_call()
    open_call.state = CallState.OPEN
    open_call.save()
    client.force_login(ProgrammeManagerFactory())

    response = client.post(
        reverse("report_list"),
        {
            "kind": "call_evaluation",
            "evaluation-call": open_call.pk,
            "evaluation-language": "en",
        },
    )

    assert response.status_code == 200
    assert GeneratedReport.objects.count() == 0
    html = response.content.decode()
    assert "Select a valid choice" in html or "Selecteer een geldige keuze" in html
    assert 'name="evaluation-language"' in html


def test_ranking_page_offers_the_report_and_exports_to_report_readers_only(client, world):
    url = reverse("ranking", args=[world.call.pk])
    client.force_login(ProgrammeManagerFactory())
    page = client.get(url).content.decode()
    assert reverse("evaluation_export", args=[world.call.pk, "xlsx"]) in page
    assert 'value="call_evaluation"' in page

    client.force_login(CouncilFactory())  # sees the ranking, not the reports
    page = client.get(url).content.decode()
    assert reverse("evaluation_export", args=[world.call.pk, "xlsx"]) not in page


def test_a_conflicted_member_cannot_download_a_report_someone_else_asked_for(client, world):
    steering = SteeringFactory()
    ConflictDeclaration.objects.create(
        application=world.apps["ALPHA"],
        reviewer=steering,
        has_conflict=True,
        reason="Board member",
        source=ConflictSource.DECLARED,
    )
    manager = ProgrammeManagerFactory()
    params = {"programme": world.call.programme_id, "call": world.call.pk, "language": "nl"}
    others = reports.report_request(
        actor=manager, kind=ReportKind.CALL_EVALUATION, parameters=params
    )
    own = reports.report_request(actor=steering, kind=ReportKind.CALL_EVALUATION, parameters=params)
    for report in (others, own):
        reports.report_generate(report_id=report.pk)
    client.force_login(steering)

    assert client.get(reverse("report_download", args=[others.pk])).status_code == 404
    own_pdf = client.get(reverse("report_download", args=[own.pk]))
    assert own_pdf.status_code == 200
    assert "ALPHA" not in pdf_text(b"".join(own_pdf.streaming_content))  # masked for them
    page = client.get(reverse("report_list")).content.decode()
    assert reverse("report_download", args=[others.pk]) not in page
    assert reverse("report_download", args=[own.pk]) in page
    client.force_login(manager)
    assert client.get(reverse("report_download", args=[others.pk])).status_code == 200


# --- In the browser ---------------------------------------------------------------------------


@pytest.fixture
def live_world(transactional_db):
    world = World()
    world.decide()
    return world


@pytest.mark.browser
def test_browser_manager_asks_for_the_report_from_the_ranking_and_downloads_it(
    page, live_server, live_world
):
    from ..conftest import browser_login

    manager = ProgrammeManagerFactory()
    browser_login(page, live_server, manager.email)
    page.goto(f"{live_server.url}{reverse('ranking', args=[live_world.call.pk])}")
    page.get_by_label("Taal van het rapport").select_option("en")
    page.get_by_role("button", name="Het evaluatierapport maken (pdf)").click()

    page.wait_for_url(f"{live_server.url}/reports/")
    report = GeneratedReport.objects.get()
    row = page.locator(f"#report-{report.pk}")
    assert live_world.call.title_nl in row.inner_text()  # the page is in Dutch
    link = row.get_by_role("link", name="Pdf downloaden")
    link.wait_for()  # tasks run in-process here: done by the time the page loads
    with page.expect_download() as download_info:
        link.click()
    content = Path(download_info.value.path()).read_bytes()
    text = pdf_text(content)
    assert "Call evaluation report" in text
    assert re.search(r"2 projects\s+€ 750,000", text)


def test_reports_page_query_count_is_constant_with_evaluation_reports(client, world, query_count):
    from tests.factories import DoneReportFactory

    steering = SteeringFactory()  # not staff: the conflict check runs for them
    client.force_login(steering)
    params = {"programme": world.call.programme_id, "call": world.call.pk, "language": "nl"}
    DoneReportFactory(kind=ReportKind.CALL_EVALUATION, parameters=params)

    one = query_count(client.get, reverse("report_list"))
    for _ in range(4):
        other_call = evaluation_call()
        DoneReportFactory(
            kind=ReportKind.CALL_EVALUATION,
            requested_by=ProgrammeManagerFactory(),
            parameters={**params, "call": other_call.pk},
        )
    assert query_count(client.get, reverse("report_list")) == one
