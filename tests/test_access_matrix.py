"""Every URL × every role → expected status.

The table is the contract of who reaches what. It must name every URL pattern of the
project (test_every_url_is_in_the_matrix fails otherwise), so a new view cannot ship
without a decision about who may see it. Each later issue adds its rows here.

Statuses: 200 allowed; LOGIN = redirect to the login page (anonymous); 403 the role may
not do this; 404 the object is not theirs to know about (another consortium's data, a
conflicted reviewer); 405 wrong method.

The world the rows point into is built once for the module (about 90 rows × 11 roles
only read it), in a transaction rolled back when the module is done; each row runs in a
savepoint of its own, so whatever a request writes (a session, a last login) is undone
before the next row.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from calls.enums import CallState
from calls.models import CallDocument
from config.celery import app as celery_app
from governance.bodies.enums import BodyKind, Seat
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.funding import services as funding
from governance.funding.enums import ChangeKind
from governance.models import ConflictDeclaration, Letter, ReviewAssignment
from governance.review.enums import AssignmentState
from programme import services as programme_services
from programme.enums import KpiKind, Role
from projects import services as project_services
from tests import factories
from tests.builders import (
    admissible_application,
    cleared_assignment,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    ready_application,
    running_project,
    submitted_assignment,
)
from tests.conftest import ROLE_FACTORIES, TEST_SETTINGS

LOGIN = "login"
ANON = "anonymous"
OTHER_APPLICANT = "applicant_other"  # an applicant of another organisation/consortium
# An external expert who declared a conflict of interest on the reviewed application
# (their assignment is withdrawn). Everywhere else they are an expert: a row expects
# for them what it expects for the expert unless it names them in `overrides`.
CONFLICTED_REVIEWER = "reviewer_conflicted"
# An applicant who asked to join the applicant's organisation and awaits approval, and a
# person invited as the contact of one partner of the draft application (an account made
# by the invitation: applicant, no organisation). Both are expected what the other
# applicant is expected unless a row names them in `overrides`.
PENDING_MEMBER = "member_pending"
INVITED_CONTACT = "contact_invited"
ROLES = [
    ANON,
    *[r.value for r in Role],
    OTHER_APPLICANT,
    CONFLICTED_REVIEWER,
    PENDING_MEMBER,
    INVITED_CONTACT,
]

A, S, C, E, SG, PM, AD, OA, CR = (
    Role.APPLICANT.value,
    Role.STAFF.value,
    Role.COUNCIL.value,
    Role.EXPERT.value,
    Role.STEERING.value,
    Role.PROGRAMME_MANAGER.value,
    Role.ADMIN.value,
    OTHER_APPLICANT,
    CONFLICTED_REVIEWER,
)
PEND, INV = PENDING_MEMBER, INVITED_CONTACT
LOGGED_IN = {A, S, C, E, SG, PM, AD, OA, CR, PEND, INV}


@dataclass
class Row:
    name: str
    kwargs: callable = lambda w: {}
    ok: set = field(default_factory=set)  # roles that get `ok_status`
    denied: int = 403  # status of logged-in roles not in `ok`
    anonymous: object = LOGIN
    ok_status: int = 200
    overrides: dict = field(default_factory=dict)  # role -> status, wins over the above

    def expected(self, role: str):
        if role in self.overrides:
            return self.overrides[role]
        if role == CR:
            return self.expected(E)
        if role in (PEND, INV):
            return self.expected(OA)
        if role == ANON:
            return self.anonymous
        return self.ok_status if role in self.ok else self.denied


MATRIX = [
    # --- accounts and language -------------------------------------------------------------
    # django-allauth's pages (issue 11). A logged-in person asking for the login or
    # sign-up page is sent on (302); the old reset addresses redirect to allauth's (301).
    Row("login", ok=LOGGED_IN, ok_status=302, anonymous=200),
    Row("account_login", ok=LOGGED_IN, ok_status=302, anonymous=200),
    Row("logout", ok=LOGGED_IN, anonymous=302),
    Row("account_logout", ok=LOGGED_IN, anonymous=302),
    Row("account_signup", ok=LOGGED_IN, ok_status=302, anonymous=200),
    Row("account_inactive", ok=LOGGED_IN, anonymous=200),
    Row("account_email_verification_sent", ok=LOGGED_IN, anonymous=200),
    Row("account_confirm_email", lambda w: {"key": "no-such-key"}, ok=LOGGED_IN, anonymous=200),
    Row("account_confirm_login_code", ok=LOGGED_IN, ok_status=302, anonymous=302),
    Row("account_email", ok=LOGGED_IN),
    # The invited contact's account has no password yet: allauth offers to set one.
    Row("account_change_password", ok=LOGGED_IN, overrides={INV: 302}),
    Row("account_set_password", ok=LOGGED_IN, ok_status=302, overrides={INV: 200}),
    Row("account_reauthenticate", ok=LOGGED_IN, overrides={INV: 403}),
    Row("account_reset_password", ok=LOGGED_IN, anonymous=200),
    Row("account_reset_password_done", ok=LOGGED_IN, anonymous=200),
    Row(
        "account_reset_password_from_key",
        lambda w: {"uidb36": "zz", "key": "no-such-key"},
        ok=LOGGED_IN,
        anonymous=200,
    ),
    Row("account_reset_password_from_key_done", ok=LOGGED_IN, anonymous=200),
    Row("password_reset", ok=LOGGED_IN, ok_status=301, anonymous=301),
    Row("password_reset_done", ok=LOGGED_IN, ok_status=301, anonymous=301),
    Row(
        "password_reset_confirm",
        lambda w: {"uidb64": "MQ", "token": "old-token"},
        ok=LOGGED_IN,
        ok_status=301,
        anonymous=301,
    ),
    Row("password_reset_complete", ok=LOGGED_IN, ok_status=301, anonymous=301),
    Row("two_factor_required", ok=LOGGED_IN),
    Row("mfa_index", ok=LOGGED_IN),
    # Enrolment asks for the password again first (allauth's reauthentication): 302.
    Row("mfa_activate_totp", ok=LOGGED_IN, ok_status=302, overrides={INV: 200}),
    Row("mfa_deactivate_totp", ok=LOGGED_IN, ok_status=404),
    Row("mfa_authenticate", ok=LOGGED_IN, ok_status=302, anonymous=302),
    Row("mfa_reauthenticate", ok=LOGGED_IN, ok_status=302, overrides={INV: 403}),
    Row("mfa_view_recovery_codes", ok=LOGGED_IN, ok_status=404),
    Row("mfa_generate_recovery_codes", ok=LOGGED_IN, ok_status=302, overrides={INV: 200}),
    Row("mfa_download_recovery_codes", ok=LOGGED_IN, ok_status=404),
    # --- programme -------------------------------------------------------------------------
    Row("home", ok=LOGGED_IN, anonymous=200),
    Row("healthz", ok=LOGGED_IN, anonymous=200),
    Row("programme_list", ok=LOGGED_IN),
    Row("programme_detail", lambda w: {"pk": w.programme.pk}, ok=LOGGED_IN),
    Row("milestone_create", lambda w: {"kpi_pk": w.milestone_kpi.pk}, ok={S, PM, AD}),
    Row("milestone_evidence", lambda w: {"pk": w.milestone.pk}, ok={S, PM, SG, AD}),
    Row("organisation_list", ok={S, PM, AD}),
    Row("organisation_create", ok={A, S, AD, OA}),
    # Another applicant's organisation is not theirs to know about: 404, not 403.
    Row(
        "organisation_detail",
        lambda w: {"pk": w.organisation.pk},
        ok={A, S, PM, AD},
        denied=404,
    ),
    Row(
        "organisation_edit",
        lambda w: {"pk": w.organisation.pk},
        ok={A, S, AD},
        denied=404,
        overrides={PM: 403},
    ),
    Row("organisation_link_create", lambda w: {"pk": w.organisation.pk}, ok={S, AD}),
    # Asking to join: applicants without an organisation (issue 11).
    Row("organisation_join", ok={AD}, overrides={PEND: 200, INV: 200}),
    # Members and requests: the organisation's managers and staff; a pending member sees
    # nothing of the organisation (404 like any stranger).
    Row(
        "organisation_members",
        lambda w: {"pk": w.organisation.pk},
        ok={A, S, AD},
        denied=404,
        overrides={PM: 403},
    ),
    Row(
        "membership_decide",
        lambda w: {"pk": w.organisation.pk, "membership_pk": w.pending_membership.pk},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    # --- calls (public pages need no login; drafts are 404 except for staff) --------------
    Row("call_list", ok=LOGGED_IN, anonymous=200),
    Row("call_ics", ok=LOGGED_IN, anonymous=200),
    Row("call_detail", lambda w: {"pk": w.open_call.pk}, ok=LOGGED_IN, anonymous=200),
    Row("call_detail", lambda w: {"pk": w.draft_call.pk}, ok={S, AD}, denied=404, anonymous=404),
    Row("call_document", lambda w: {"pk": w.call_document.pk}, ok=LOGGED_IN, anonymous=200),
    Row(
        "call_document",
        lambda w: {"pk": w.draft_document.pk},
        ok={S, AD},
        denied=404,
        anonymous=404,
    ),
    Row(
        "call_register",
        lambda w: {"pk": w.open_call.pk},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    # A call with a pre-selection stage: applicants pre-register, staff pre-select.
    Row("call_preregister", lambda w: {"pk": w.preselection_call.pk}, ok={A, OA, AD}),
    Row("call_manage_list", ok={S, AD}),
    Row("call_create", ok={S, AD}),
    Row("call_manage", lambda w: {"pk": w.draft_call.pk}, ok={S, AD}),
    Row("call_edit", lambda w: {"pk": w.open_call.pk}, ok={S, AD}),
    Row("call_parameters_edit", lambda w: {"pk": w.open_call.pk}, ok={S, AD}),
    Row("call_criteria_edit", lambda w: {"pk": w.open_call.pk}, ok={S, AD}),
    Row(
        "call_transition",
        lambda w: {"pk": w.draft_call.pk, "to_state": "open"},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    Row("call_document_add", lambda w: {"pk": w.open_call.pk}, ok={S, AD}),
    Row("preselection_page", lambda w: {"pk": w.preselection_call.pk}, ok={S, AD}),
    Row("envelope_create", lambda w: {"pk": w.draft_call.pk}, ok={S, AD}),
    Row("envelope_detail", lambda w: {"pk": w.envelope.pk}, ok={S, AD, PM, SG}),
    Row("envelope_edit", lambda w: {"pk": w.envelope.pk}, ok={S, AD}),
    Row("budget_index", ok={S, AD, PM, SG}),
    Row("budget_year", lambda w: {"pk": w.envelope.call.programme_year_id}, ok={S, AD, PM, SG}),
    # --- governance: the bodies' pages are for the people around the table -----------------
    Row("body_list", ok={S, C, SG, PM, AD}),
    Row("body_detail", lambda w: {"pk": w.body.pk}, ok={S, C, SG, PM, AD}),
    Row("membership_create", lambda w: {"pk": w.body.pk}, ok={S, AD}),
    Row("membership_edit", lambda w: {"pk": w.membership.pk}, ok={S, AD}),
    Row("meeting_create", lambda w: {"pk": w.body.pk}, ok={S, AD}),
    Row("meeting_detail", lambda w: {"pk": w.meeting.pk}, ok={S, C, SG, PM, AD}),
    # --- governance: ranking, advice and decisions (decision side of the evaluation) -------
    Row("ranking", lambda w: {"pk": w.evaluation_call.pk}, ok={S, C, SG, PM, AD}),
    Row("application_decision", lambda w: {"pk": w.decided.pk}, ok={S, C, SG, PM, AD}),
    # GET only leads back to the decision page; staff record (POST).
    Row("advice_record", lambda w: {"pk": w.decided.pk}, ok={S, AD}, ok_status=302),
    # GET: what marking decided locks, and the confirmation form.
    Row("call_mark_decided", lambda w: {"pk": w.evaluation_call.pk}, ok={S, AD}),
    Row(
        "phase_reopen",
        lambda w: {"pk": w.decided.pk, "phase": "consensus"},
        ok={S, AD},
        ok_status=405,
    ),
    # The coordinator's contact declines; staff know of the decision (403); others 404.
    Row(
        "decision_decline",
        lambda w: {"pk": w.decision.pk},
        ok={A, AD},
        denied=404,
        overrides={S: 403},
    ),
    # Steering group members read the letters of the calls their body decided.
    Row("letter_download", lambda w: {"pk": w.letter.pk}, ok={A, S, SG, AD}, denied=404),
    # --- governance: the decision proposal and the reserve list (issue 18) -------------------
    Row("call_proposals", lambda w: {"pk": w.proposal.call_id}, ok={S, SG, PM, AD}),
    Row("proposal_detail", lambda w: {"pk": w.proposal.pk}, ok={S, SG, PM, AD}),
    Row(
        "proposal_item_edit",
        lambda w: {"pk": w.proposal.pk, "item": w.proposal_item.pk},
        ok={S, AD},
    ),
    Row("proposal_agenda", lambda w: {"pk": w.proposal.pk}, ok={S, AD}, ok_status=405),
    # The service checks the voter votes and attended; the page needs the steering role.
    Row("proposal_vote", lambda w: {"pk": w.proposal.pk}, ok={SG, AD}, ok_status=405),
    Row("proposal_decisions", lambda w: {"pk": w.proposal.pk}, ok={S, AD}, ok_status=405),
    Row("reserve_list", lambda w: {"pk": w.evaluation_call.pk}, ok={S, C, SG, PM, AD}),
    Row("reserve_fund", lambda w: {"pk": w.decision.pk}, ok={S, AD}, ok_status=405),
    Row("letter_retry", lambda w: {"pk": w.letter.pk}, ok={S, AD}, ok_status=405),
    # --- projects: applicant portal --------------------------------------------------------
    # The partner contacts of an application and staff see it; anyone else gets 404.
    # Administrators are superusers: every permission holds for them (Django's rule).
    Row("application_list", ok={A, OA, AD}),
    Row("application_create", lambda w: {"call_pk": w.call.pk}, ok={A, OA, AD}),
    # The invited contact sees the one application they are invited to (and their
    # partner's budget), and changes nothing the coordinator decides (403).
    Row(
        "application_detail",
        lambda w: {"pk": w.draft.pk},
        ok={A, S, AD},
        denied=404,
        overrides={INV: 200},
    ),
    Row(
        "application_checks",
        lambda w: {"pk": w.draft.pk},
        ok={A, S, AD},
        denied=404,
        overrides={INV: 200},
    ),
    Row(
        "application_edit",
        lambda w: {"pk": w.draft.pk},
        ok={A, AD},
        denied=404,
        overrides={INV: 403, S: 403},
    ),
    Row(
        "partner_add",
        lambda w: {"pk": w.draft.pk},
        ok={A, AD},
        denied=404,
        overrides={INV: 403, S: 403},
    ),
    Row(
        "partner_edit",
        lambda w: {"pk": w.draft.pk, "partner_pk": w.partner.pk},
        ok={A, AD},
        denied=404,
        overrides={INV: 403, S: 403},
    ),
    Row(
        "partner_invitations_send",
        lambda w: {"pk": w.draft.pk},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    Row(
        "partner_remove",
        lambda w: {"pk": w.draft.pk, "partner_pk": w.partner.pk},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    Row(
        "partner_budget",
        lambda w: {"pk": w.draft.pk, "partner_pk": w.partner.pk},
        ok={A, S, AD},
        denied=404,
        overrides={INV: 200},
    ),
    Row(
        "attachment_upload",
        lambda w: {"pk": w.draft.pk},
        ok={A, AD},
        denied=404,
        overrides={INV: 403, S: 403},
    ),
    Row(
        "attachment_download",
        lambda w: {"pk": w.draft.pk, "attachment_pk": w.attachment.pk},
        ok={A, S, AD},
        denied=404,
        overrides={INV: 200},
    ),
    Row(
        "attachment_remove",
        lambda w: {"pk": w.draft.pk, "attachment_pk": w.attachment.pk},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    Row(
        "application_submit",
        lambda w: {"pk": w.draft.pk},
        ok={A, AD},
        denied=404,
        overrides={S: 403, INV: 403},
    ),
    Row(
        "application_withdraw",
        lambda w: {"pk": w.submitted.pk},
        ok={A, AD},
        denied=404,
        overrides={S: 403},
    ),
    Row(
        "application_complete",
        lambda w: {"pk": w.submitted.pk},
        ok={A, AD},
        denied=404,
        overrides={S: 403},
    ),
    Row("application_pdf", lambda w: {"pk": w.submitted.pk}, ok={A, S, AD}, denied=404),
    # --- projects: staff --------------------------------------------------------------------
    Row("admissibility_list", ok={S, AD}),
    Row("admissibility_export", lambda w: {"fmt": "csv"}, ok={S, AD}),
    Row("admissibility_check", lambda w: {"pk": w.submitted.pk}, ok={S, AD}),
    # --- governance: review side ----------------------------------------------------------
    # A reviewer reaches only their own assignments (404 otherwise); a conflicted reviewer
    # gets 404 on the application, its files and its review pages. Staff moderate.
    Row("review_list", ok={C, E, AD}),
    Row(
        "review_declare",
        lambda w: {"pk": w.review.pk},
        ok={C},
        overrides={E: 404, AD: 404, CR: 404},
    ),
    Row(
        "review_score", lambda w: {"pk": w.review.pk}, ok={C}, overrides={E: 404, AD: 404, CR: 404}
    ),
    Row(
        "review_declare",
        lambda w: {"pk": w.conflicted_review.pk},
        overrides={C: 404, E: 404, AD: 404, CR: 404},
    ),
    Row(
        "review_score",
        lambda w: {"pk": w.conflicted_review.pk},
        overrides={C: 404, E: 404, AD: 404, CR: 404},
    ),
    Row(
        "application_detail",
        lambda w: {"pk": w.reviewed.pk},
        ok={C, S, AD},
        denied=404,
        overrides={CR: 404},
    ),
    Row(
        "attachment_download",
        lambda w: {"pk": w.reviewed.pk, "attachment_pk": w.reviewed_attachment.pk},
        ok={C, S, AD},
        denied=404,
        overrides={CR: 404},
    ),
    Row(
        "partner_budget",
        lambda w: {"pk": w.reviewed.pk, "partner_pk": w.reviewed_partner.pk},
        ok={C, S, AD},
        denied=404,
        overrides={CR: 404},
    ),
    Row("review_call_overview", lambda w: {"pk": w.review_call.pk}, ok={S, AD}),
    Row(
        "review_assign_auto",
        lambda w: {"pk": w.review_call.pk},
        ok=LOGGED_IN,
        ok_status=405,
        anonymous=405,
    ),
    Row("review_assign_page", lambda w: {"pk": w.reviewed.pk}, ok={S, AD}),
    Row(
        "review_unassign", lambda w: {"pk": w.review.pk}, ok=LOGGED_IN, ok_status=405, anonymous=405
    ),
    Row("consensus_page", lambda w: {"pk": w.reviewed.pk}, ok={S, AD}),
    # Reviewers accept the code of conduct before the first proposal opens.
    Row("conduct_declaration", ok={C, E, AD}),
    # The discussion of a proposal: the moderator (staff) always; an assigned reviewer
    # once their own review is submitted (403 before: they know the proposal); anyone
    # not assigned or conflicted does not know it exists (404).
    Row(
        "discussion",
        lambda w: {"pk": w.reviewed.pk},
        ok={S, AD},
        overrides={C: 403, E: 404, CR: 404},
    ),
    Row(
        "discussion",
        lambda w: {"pk": w.discussed.pk},
        ok={C, S, AD},
        overrides={E: 404, CR: 404},
    ),
    Row("reviewer_list", ok={S, AD}),
    Row("reviewer_expertise_edit", lambda w: {"pk": w.users[C].pk}, ok={S, AD}),
    # --- KPI page and reports (programme manager, staff, steering group only) -------------
    Row("kpi_overview", lambda w: {"pk": w.programme.pk}, ok={S, PM, SG, AD}),
    Row("kpi_export", lambda w: {"pk": w.programme.pk, "fmt": "csv"}, ok={S, PM, SG, AD}),
    Row(
        "evaluation_export",
        lambda w: {"pk": w.evaluation_call.pk, "fmt": "csv"},
        ok={S, PM, SG, AD},
    ),
    Row("report_list", ok={S, PM, SG, AD}),
    Row("report_row", lambda w: {"pk": w.report.pk}, ok={S, PM, SG, AD}),
    Row("report_download", lambda w: {"pk": w.report.pk}, ok={S, PM, SG, AD}),
    # --- governance: funded projects (the consortium, staff; read-only for SG and PM) ------
    Row("funding_dashboard", ok={S, PM, AD}),
    Row("my_projects", ok={A, OA, AD}),
    Row("funded_project", lambda w: {"pk": w.project.pk}, ok={A, S, SG, PM, AD}, denied=404),
    Row("funded_project_open", lambda w: {"pk": w.decision.pk}, ok={S, AD}, ok_status=405),
    Row(
        "agreement_draw_up",
        lambda w: {"pk": w.project.pk},
        ok={S, AD},
        denied=404,
        overrides={A: 403, SG: 403, PM: 403},
    ),
    Row(
        "agreement_sign",
        lambda w: {"pk": w.agreement.pk},
        ok=LOGGED_IN,
        ok_status=405,
    ),
    Row(
        "agreement_download",
        lambda w: {"pk": w.agreement.pk},
        ok={A, S, SG, PM, AD},
        denied=404,
    ),
    Row(
        "collaboration_upload",
        lambda w: {"pk": w.project.pk},
        ok={A, AD},
        ok_status=302,
        denied=404,
        overrides={S: 403, SG: 403, PM: 403},
    ),
    Row(
        "collaboration_download",
        lambda w: {"pk": w.project.pk},
        ok={A, S, SG, PM, AD},
        denied=404,
    ),
    Row("collaboration_accept", lambda w: {"pk": w.project.pk}, ok={S, AD}, ok_status=405),
    Row("payment_approve", lambda w: {"pk": w.payment.pk}, ok={S, AD}, ok_status=405),
    Row(
        "project_move",
        lambda w: {"pk": w.project.pk, "to_state": "reporting"},
        ok={S, AD},
        ok_status=405,
    ),
    Row("project_stop", lambda w: {"pk": w.project.pk}, ok={S, AD}, ok_status=405),
    Row(
        "change_request",
        lambda w: {"pk": w.project.pk},
        ok={A, AD},
        denied=404,
        overrides={S: 403, SG: 403, PM: 403},
    ),
    Row("change_decide", lambda w: {"pk": w.change.pk}, ok={S, AD}),
    Row("payment_run", ok={S, AD}),
    Row("payment_run_export", lambda w: {"fmt": "csv"}, ok={S, AD}),
]

# URL names deliberately outside the matrix, with the reason.
EXEMPT = {
    "set_language": "POST-only language switch, available to everyone",
}


def _all_url_names(resolver=None, namespace=None) -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin guards itself (is_staff)
            names |= _all_url_names(pattern, pattern.namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_is_in_the_matrix():
    in_matrix = {row.name for row in MATRIX}
    missing = _all_url_names() - in_matrix - set(EXEMPT)
    assert missing == set(), f"add these URL names to MATRIX: {sorted(missing)}"


class World:
    """One small dataset that every row of the matrix can point into."""

    def __init__(self):
        self.users = {role: factory() for role, factory in ROLE_FACTORIES.items()}
        self.users[OTHER_APPLICANT] = factories.ApplicantFactory()
        self.users[CONFLICTED_REVIEWER] = factories.ExpertFactory()
        self.organisation = self.users[Role.APPLICANT].organisation
        self.users[PENDING_MEMBER] = factories.UserFactory(roles=[Role.APPLICANT])
        self.pending_membership = programme_services.membership_request(
            actor=self.users[PENDING_MEMBER], organisation=self.organisation
        )
        self.milestone = factories.MilestoneRecordFactory()
        self.milestone_kpi = self.milestone.kpi
        self.milestone_kpi.kind = KpiKind.MILESTONE
        self.milestone_kpi.save()
        self.programme = self.milestone_kpi.programme
        factories.BudgetLineFactory(
            programme_year=factories.ProgrammeYearFactory(programme=self.programme)
        )
        self.extend()

    def extend(self):
        """Later issues add their objects here (calls, applications, reviews…)."""
        self._extend_calls()
        self._extend_governance()
        self._extend_projects()
        self._extend_reports()
        self._extend_reviews()
        self._extend_decisions()
        self._extend_funding()

    def _extend_calls(self):
        self.open_call = factories.CallFactory(state=CallState.OPEN)
        self.envelope = factories.EnvelopeFactory(call=self.open_call)
        self.draft_call = factories.CallFactory(state=CallState.DRAFT)
        self.preselection_call = factories.CallFactory(
            state=CallState.OPEN, preregistration_deadline=timezone.now() + timedelta(days=1)
        )
        factories.EnvelopeFactory(call=self.preselection_call)
        self.call_document = CallDocument.objects.create(
            call=self.open_call,
            title_nl="Oproeptekst",
            title_en="Call text",
            file=ContentFile(b"%PDF-1.4 call text", name="call.pdf"),
        )
        self.draft_document = CallDocument.objects.create(
            call=self.draft_call,
            title_nl="Ontwerp",
            title_en="Draft",
            file=ContentFile(b"%PDF-1.4 draft", name="draft.pdf"),
        )

    def _extend_governance(self):
        self.body = factories.BodyFactory(programme=self.programme)
        self.membership = factories.MembershipFactory(body=self.body, user=self.users[Role.COUNCIL])
        self.meeting = factories.MeetingFactory(
            body=self.body, attendees=[self.users[Role.COUNCIL]]
        )

    def _extend_projects(self):
        applicant = self.users[Role.APPLICANT]
        # A draft and a submitted application coordinated by the applicant's organisation;
        # the other applicant belongs to neither consortium.
        self.draft = ready_application(created_by=applicant)
        self.call = self.draft.call
        self.partner = self.draft.partners.filter(is_coordinator=False).first()
        # The partner's contact is replaced by an invitation to a new address, sent.
        project_services.partner_update(
            actor=applicant,
            partner=self.partner,
            contact_email="invited.contact@example.org",
            contact_name="Invited Contact",
            declares_non_economic=self.partner.declares_non_economic,
        )
        project_services.partner_invitations_send(actor=applicant, application=self.draft)
        self.partner.refresh_from_db()
        self.users[INVITED_CONTACT] = self.partner.contact
        self.attachment = self.draft.attachments.first()
        self.submitted = ready_application(created_by=applicant)
        project_services.application_submit(actor=applicant, application=self.submitted)

    def _extend_decisions(self):
        applicant = self.users[Role.APPLICANT]
        self.evaluation_call = evaluation_call()
        self.decided = admissible_application(self.evaluation_call, created_by=applicant)
        consensus(self.decided, [4, 4, 4])
        steering = meeting_with_quorum(self.evaluation_call.programme, BodyKind.STEERING_GROUP)
        factories.MembershipFactory(
            body=steering.body, user=self.users[Role.STEERING], seat=Seat.VLAIO, organisation=None
        )
        self.decision = decisions.decision_record(
            actor=self.users[Role.STAFF],
            application=self.decided,
            meeting=steering,
            outcome=DecisionOutcome.FUND,
            amount=Decimal("100000"),
            decided_by="A. Generaal",
        )
        # A draft decision proposal of another call in evaluation.
        proposal_call = evaluation_call()
        consensus(admissible_application(proposal_call, created_by=applicant), [4, 4, 4])
        self.proposal = decisions.proposal_build(actor=self.users[Role.STAFF], call=proposal_call)
        self.proposal_item = self.proposal.items.get()
        self.letter = Letter.objects.get(application=self.decided, kind="decision")
        self.letter.file.save("decision.pdf", ContentFile(b"%PDF-1.4 letter"), save=False)
        self.letter.generated_at = timezone.now()
        self.letter.save()

    def _extend_funding(self):
        # A running project of the applicant's consortium, its agreement's PDF made, a
        # change requested; the other applicant belongs to none of it.
        applicant = self.users[Role.APPLICANT]
        self.project = running_project(created_by=applicant)
        self.agreement = funding.agreement_in_force(self.project)
        funding.agreement_generate(agreement_id=self.agreement.pk)
        self.payment = self.project.payments.order_by("due_on").first()
        self.change = funding.change_request(
            actor=applicant,
            project=self.project,
            kind=ChangeKind.EXTENSION,
            description="More time",
            new_end_date=self.project.end_date + timedelta(days=30),
        )

    def _extend_reports(self):
        self.report = factories.DoneReportFactory(
            requested_by=self.users[Role.PROGRAMME_MANAGER],
            parameters={"programme": self.programme.pk, "year": None, "language": "nl"},
        )

    def _extend_reviews(self):
        # An admissible application of a call in evaluation, of a consortium none of the
        # roles belongs to; the council member reviews it (no conflict declared), the
        # conflicted reviewer declared a conflict (assignment withdrawn).
        self.review_call = evaluation_call()
        self.reviewed = admissible_application(self.review_call)
        self.reviewed_attachment = self.reviewed.attachments.first()
        self.reviewed_partner = self.reviewed.partners.first()
        self.review = cleared_assignment(self.reviewed, reviewer=self.users[Role.COUNCIL])
        conflicted = self.users[CONFLICTED_REVIEWER]
        self.conflicted_review = ReviewAssignment.objects.create(
            application=self.reviewed, reviewer=conflicted, state=AssignmentState.WITHDRAWN
        )
        ConflictDeclaration.objects.create(
            application=self.reviewed,
            reviewer=conflicted,
            has_conflict=True,
            reason="Adviser of the coordinator",
        )
        # A proposal the council member has reviewed (submitted): its discussion is
        # theirs to read; the conflicted reviewer declared a conflict on it too.
        self.discussed = admissible_application(self.review_call)
        submitted_assignment(self.discussed, [4, 4, 4], reviewer=self.users[Role.COUNCIL])
        ReviewAssignment.objects.create(
            application=self.discussed, reviewer=conflicted, state=AssignmentState.WITHDRAWN
        )
        ConflictDeclaration.objects.create(
            application=self.discussed, reviewer=conflicted, has_conflict=True, reason="Partner"
        )


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    """The media folder of the module: the world's files are written once, read by all."""
    return tmp_path_factory.mktemp("access-matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """The world, built once for the module in a transaction rolled back at its end
    (pytest-django runs each test of a non-transactional module inside it, in a
    savepoint). Settings and Celery as tests/conftest.py sets them for a test."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(**TEST_SETTINGS, MEDIA_ROOT=world_media),
            transaction.atomic(),
        ):
            yield World()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _world_media_root(_test_settings, settings, world_media):
    """After tests/conftest.py's per-test media folder: the module's, where the world's
    files (attachments, letters, reports, evidence) are."""
    settings.MEDIA_ROOT = world_media


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_access(row, world, db, client):
    url = reverse(row.name, kwargs=row.kwargs(world))
    failures = []
    for role in ROLES:
        client.logout()
        if role != ANON:
            client.force_login(world.users[role])
        response = client.get(url)
        expected = row.expected(role)
        if expected == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith(reverse("login"))
            got = f"{response.status_code} → {response.get('Location')}"
        else:
            ok = response.status_code == expected
            got = response.status_code
        if not ok:
            failures.append(f"{role}: expected {expected}, got {got}")
    assert failures == []
