"""Conflicts masked everywhere (issue 18, item 4): a person with a conflict of interest
that was *detected* (their organisation is linked to a partner) but never declared sees
nothing of the proposal on any page, export or report of the governance app; only that
one exists.

`test_every_governance_url_masks_a_detected_conflict` walks every URL whose view lives
in the governance app (a new one fails the test until it is given its arguments here).
"""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from governance.bodies.enums import BodyKind
from governance.decisions import selectors as decision_selectors, services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.funding import domain as funding_domain, services as funding
from governance.funding.enums import ChangeKind
from governance.models import Letter, ReviewAssignment
from governance.reports import evaluation
from governance.review import selectors as review_selectors
from governance.review.enums import AssignmentState
from programme.enums import KpiKind, LinkKind, Role
from programme.models import OrganisationLink, ReportKind
from tests import factories
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
)

pytestmark = pytest.mark.django_db

SECRET = "SECRETA"
SECRET_TITLE = "Hidden personalised oncology platform"


class Scene:
    """A call in evaluation with three proposals; the best one (SECRETA, rank 1, funded
    with 412,345.67; OPENB is funded too) is coordinated by an organisation that the
    viewer's organisation controls (a linked enterprise). The viewer holds every role
    that reads the review and decision side, never declared the conflict, and still has
    an assignment on it."""

    def __init__(self):
        self.call = evaluation_call(envelope=Decimal("2000000"))
        self.secret = admissible_application(
            self.call, aid="432109.87", acronym=SECRET, title=SECRET_TITLE
        )
        self.secret.coordinator.name = "Coordinator Confidential NV"
        self.secret.coordinator.save()
        consensus(self.secret, [5, 4.5, 5])
        self.visible = admissible_application(self.call, acronym="OPENB")
        consensus(self.visible, [4, 4, 4])
        self.third = admissible_application(self.call, acronym="THIRDC")
        consensus(self.third, [3, 3, 4])
        self.viewer = factories.CouncilFactory(
            roles=[Role.COUNCIL, Role.EXPERT, Role.STEERING, Role.PROGRAMME_MANAGER]
        )
        OrganisationLink.objects.create(
            organisation=self.viewer.organisation,
            other=self.secret.coordinator,
            kind=LinkKind.LINKED,
        )
        self.assignment = ReviewAssignment.objects.create(
            application=self.secret, reviewer=self.viewer, state=AssignmentState.ASSIGNED
        )
        staff = factories.StaffFactory()
        # The decision proposal staff build from the ranking (all three proposals).
        self.proposal = decisions.proposal_build(actor=staff, call=self.call)
        self.item = self.proposal.items.get(application=self.secret)
        self.meeting = meeting_with_quorum(self.call.programme, BodyKind.STEERING_GROUP)
        self.decision = decisions.decision_record(
            actor=staff,
            application=self.secret,
            meeting=self.meeting,
            outcome=DecisionOutcome.FUND,
            amount=Decimal("412345.67"),
            decided_by="A. Generaal",
            now=timezone.now() - timedelta(days=40),
        )
        # Its funded project with a signed agreement, scheduled payments and a change
        # request (the steering group and the programme manager read funded projects).
        self.project = funding.project_open(actor=None, decision=self.decision)
        start = timezone.localdate() - timedelta(days=30)
        self.agreement = funding.agreement_draw_up(
            actor=staff,
            project=self.project,
            start_date=start,
            end_date=funding_domain.add_months(start, 24) - timedelta(days=1),
            deliverables=[{"description": "Validated biomarker panel", "target": "1"}],
        )
        funding.agreement_sign(
            actor=staff, agreement=self.agreement, signed_on=timezone.localdate()
        )
        self.payment = self.project.payments.order_by("pk").first()
        self.change = funding.change_request(
            actor=self.secret.partners.get(is_coordinator=True).contact,
            project=self.project,
            kind=ChangeKind.EXTENSION,
            description="Six more months for the clinical validation.",
            new_end_date=funding_domain.add_months(start, 30) - timedelta(days=1),
        )
        # A second funded project, so that no total (an envelope's commitments, the KPI
        # figures) is the secret proposal's amount alone: totals are not masked.
        decisions.decision_record(
            actor=staff,
            application=self.visible,
            meeting=self.meeting,
            outcome=DecisionOutcome.FUND,
            amount=Decimal("300000"),
            decided_by="A. Generaal",
            now=timezone.now() - timedelta(days=40),
        )
        funding.project_open(actor=None, decision=self.visible.decision)
        # The computed KPIs, whose source rows list the funded projects' partners.
        for number, unit, target in ((3, "percent", 30), (4, "count", 15), (5, "percent", 200)):
            factories.KpiFactory(
                programme=self.call.programme,
                number=number,
                kind=KpiKind.COMPUTED,
                unit=unit,
                target=target,
            )
        self.letter = Letter.objects.filter(application=self.secret).first()
        self.report = factories.DoneReportFactory(
            kind=ReportKind.CALL_EVALUATION,
            requested_by=staff,
            parameters={
                "programme": self.call.programme_id,
                "call": self.call.pk,
                "year": None,
                "language": "en",
            },
        )
        self.kpi_report = factories.DoneReportFactory(
            requested_by=staff,
            parameters={"programme": self.call.programme_id, "year": None, "language": "en"},
        )

    # What identifies or ranks the secret proposal, as any page, CSV or XLSX writes it.
    def leaks(self, text: str) -> list[str]:
        needles = [
            SECRET,
            SECRET_TITLE,
            "Coordinator Confidential",
            self.secret.receipt_number,
            "432,109.87",
            "432.109,87",
            "432109.87",
            "412,345.67",
            "412.345,67",
            "412345.67",
            "14.50",
            "14,50",
            f"/applications/{self.secret.pk}/",
        ]
        return [n for n in needles if n in text]


@pytest.fixture
def scene():
    return Scene()


def _kwargs(scene: Scene) -> dict[str, list[dict]]:
    """URL name -> the arguments it is tried with (every governance URL is here)."""
    programme = scene.call.programme
    body = scene.meeting.body
    membership = body.memberships.first()
    return {
        "body_list": [{}],
        "body_detail": [{"pk": body.pk}],
        "membership_create": [{"pk": body.pk}],
        "membership_edit": [{"pk": membership.pk}],
        "meeting_create": [{"pk": body.pk}],
        "meeting_detail": [{"pk": scene.meeting.pk}],
        "ranking": [{"pk": scene.call.pk}],
        "call_mark_decided": [{"pk": scene.call.pk}],
        "application_decision": [{"pk": scene.secret.pk}, {"pk": scene.visible.pk}],
        "advice_record": [{"pk": scene.secret.pk}],
        "call_proposals": [{"pk": scene.call.pk}],
        "proposal_detail": [{"pk": scene.proposal.pk}],
        "proposal_item_edit": [{"pk": scene.proposal.pk, "item": scene.item.pk}],
        "proposal_agenda": [{"pk": scene.proposal.pk}],
        "proposal_vote": [{"pk": scene.proposal.pk}],
        "proposal_decisions": [{"pk": scene.proposal.pk}],
        "reserve_list": [{"pk": scene.call.pk}],
        "reserve_fund": [{"pk": scene.decision.pk}],
        "phase_reopen": [{"pk": scene.secret.pk, "phase": "reviews"}],
        "conduct_declaration": [{}],
        "discussion": [{"pk": scene.secret.pk}],
        "funding_dashboard": [{}],
        "my_projects": [{}],
        "funded_project": [{"pk": scene.project.pk}],
        "funded_project_open": [{"pk": scene.decision.pk}],
        "agreement_draw_up": [{"pk": scene.project.pk}],
        "agreement_sign": [{"pk": scene.agreement.pk}],
        "agreement_download": [{"pk": scene.agreement.pk}],
        "collaboration_upload": [{"pk": scene.project.pk}],
        "collaboration_download": [{"pk": scene.project.pk}],
        "collaboration_accept": [{"pk": scene.project.pk}],
        "payment_approve": [{"pk": scene.payment.pk}],
        "payment_run": [{}],
        "payment_run_export": [{"fmt": "csv"}, {"fmt": "xlsx"}],
        "project_move": [{"pk": scene.project.pk, "to_state": "final_reporting"}],
        "project_stop": [{"pk": scene.project.pk}],
        "change_request": [{"pk": scene.project.pk}],
        "change_decide": [{"pk": scene.change.pk}],
        "decision_decline": [{"pk": scene.decision.pk}],
        "letter_download": [{"pk": scene.letter.pk}],
        "letter_retry": [{"pk": scene.letter.pk}],
        "review_list": [{}],
        "review_declare": [{"pk": scene.assignment.pk}],
        "review_score": [{"pk": scene.assignment.pk}],
        "review_call_overview": [{"pk": scene.call.pk}],
        "review_assign_auto": [{"pk": scene.call.pk}],
        "review_assign_page": [{"pk": scene.secret.pk}],
        "review_unassign": [{"pk": scene.assignment.pk}],
        "consensus_page": [{"pk": scene.secret.pk}],
        "reviewer_list": [{}],
        "reviewer_expertise_edit": [{"pk": scene.viewer.pk}],
        "organisation_link_create": [{"pk": scene.secret.coordinator.pk}],
        "kpi_overview": [{"pk": programme.pk}],
        "kpi_export": [{"pk": programme.pk, "fmt": "csv"}, {"pk": programme.pk, "fmt": "xlsx"}],
        "evaluation_export": [
            {"pk": scene.call.pk, "fmt": "csv"},
            {"pk": scene.call.pk, "fmt": "xlsx"},
        ],
        "report_list": [{}],
        "report_row": [{"pk": scene.report.pk}, {"pk": scene.kpi_report.pk}],
        "report_download": [{"pk": scene.report.pk}, {"pk": scene.kpi_report.pk}],
        "budget_index": [{}],
        "budget_year": [{"pk": scene.call.programme_year_id}],
    }


def _governance_url_names(resolver=None) -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                names |= _governance_url_names(pattern)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if pattern.callback.__module__.startswith("governance."):
                names.add(pattern.name)
    return names


def _text(response) -> str:
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8-sig", "replace")


def test_the_conflict_is_detected_not_declared(scene):
    assert review_selectors.hidden_proposals(scene.viewer, [scene.secret.pk, scene.visible.pk]) == {
        scene.secret.pk: review_selectors.conflicts_of(scene.viewer, [scene.secret.pk])[
            scene.secret.pk
        ]
    }
    assert not scene.viewer.conflict_declarations.filter(has_conflict=True).exists()
    assert review_selectors.may_see_proposal(scene.viewer, scene.visible)
    assert not review_selectors.may_see_proposal(scene.viewer, scene.secret)
    assert review_selectors.may_see_proposal(factories.StaffFactory(), scene.secret)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_governance_url_masks_a_detected_conflict(scene, client, language):
    arguments = _kwargs(scene)
    missing = _governance_url_names() - set(arguments)
    assert missing == set(), f"give these governance URLs their arguments: {sorted(missing)}"
    client.force_login(scene.viewer)
    client.cookies["django_language"] = language
    failures, shown = [], 0
    for name, variants in sorted(arguments.items()):
        for kwargs in variants:
            url = reverse(name, kwargs=kwargs)
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code == 200:
                shown += 1
                leaks = scene.leaks(_text(response))
                if leaks:
                    failures.append(f"{url}: shows {leaks}")
            elif response.status_code not in (302, 403, 404, 405):
                failures.append(f"{url}: status {response.status_code}")
    assert failures == []
    assert shown >= 12  # the pages the viewer's roles open were really read


def test_pages_that_name_the_proposal_are_404(scene, client):
    client.force_login(scene.viewer)
    for url in (
        reverse("application_decision", args=[scene.secret.pk]),
        reverse("review_declare", args=[scene.assignment.pk]),
        reverse("review_score", args=[scene.assignment.pk]),
        reverse("letter_download", args=[scene.letter.pk]),
        reverse("report_download", args=[scene.report.pk]),
        reverse("application_detail", args=[scene.secret.pk]),
        reverse("funded_project", args=[scene.project.pk]),
        reverse("agreement_download", args=[scene.agreement.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_ranking_says_only_that_a_proposal_is_hidden(scene, client):
    client.force_login(scene.viewer)
    body = client.get(reverse("ranking", args=[scene.call.pk])).content.decode()
    assert "1 proposal is not shown: you have a conflict of interest with it." in body
    assert "OPENB" in body and "THIRDC" in body
    assert scene.leaks(body) == []
    # Staff see the proposal with its rank and figures.
    client.force_login(factories.StaffFactory())
    body = client.get(reverse("ranking", args=[scene.call.pk])).content.decode()
    assert SECRET in body and "412,345.67" in body


def test_masked_rows_carry_no_rank_in_the_export_table(scene):
    data = evaluation.evaluation_data(scene.call, viewer=scene.viewer)
    rows = [list(r) for r in data.table.rows]
    assert [r[:2] for r in rows] == [[2, "OPENB"], [3, "THIRDC"], [None, "—"]]
    assert rows[-1][3:] == [None] * (len(rows[-1]) - 3)
    assert [s.row.application.acronym for s in data.summaries] == ["OPENB", "THIRDC"]


def test_evaluation_report_for_the_conflicted_person_hides_it(scene):
    html = evaluation.evaluation_report_html(
        call=scene.call, language="en", generated_at=timezone.now(), viewer=scene.viewer
    )
    assert scene.leaks(html) == []
    assert "Not shown: conflict of interest (1)" in html


def test_a_reviewer_is_not_told_the_name_of_a_detected_conflict(scene):
    assert [a.application.acronym for a in _home_rows(scene.viewer)] == []


def _home_rows(user):
    from governance.review.views import home_panel_rows

    return home_panel_rows(user)


def test_cut_line_does_not_give_away_the_hidden_place(scene):
    result = decision_selectors.call_ranking(scene.call)
    decision_selectors.mark_conflicts(result, scene.viewer)
    lines = [r.application.acronym for r in result.rows if r.line_after]
    assert lines == ["THIRDC"]  # the last visible proposal above the line
    assert [r.application.acronym for r in result.visible_rows] == ["OPENB", "THIRDC"]
    assert result.hidden_count == 1


def test_kpi_page_keeps_the_figures_and_masks_the_source_rows(scene, client):
    client.force_login(factories.StaffFactory())
    staff_results = client.get(reverse("kpi_overview", args=[scene.call.programme_id])).context[
        "results"
    ]
    client.force_login(scene.viewer)
    response = client.get(reverse("kpi_overview", args=[scene.call.programme_id]))
    body = response.content.decode()
    assert scene.leaks(body) == []
    assert "Not shown: conflict of interest" in body
    assert [r.value for r in response.context["results"]] == [r.value for r in staff_results]
    assert any(scene.secret.receipt_number in str(row) for r in staff_results for row in r.rows)


def test_kpi_report_for_the_conflicted_person_hides_the_project(scene):
    from governance.reports import kpi_report

    html = kpi_report.kpi_report_html(
        programme=scene.call.programme,
        year=None,
        language="en",
        generated_at=timezone.now(),
        viewer=scene.viewer,
    )
    assert scene.leaks(html) == []
    assert kpi_report.downloadable(scene.viewer, [scene.kpi_report]) == set()
