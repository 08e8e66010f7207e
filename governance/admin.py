"""Django admin for governance: inspection and history (the rule is in programme.admin).

- Body: admin-owned setup data (no page creates bodies); a new body is made by
  `bodies.services.body_create`; its names and descriptions may be corrected, its
  programme and kind never (memberships and their seats depend on the kind).
- Membership, Meeting: service-owned (`bodies.services.membership_create` /
  `membership_update` check the seat and that terms do not overlap and give the voting
  role; `meeting_record`); staff use the body pages.
- ConflictDeclaration, ReviewAssignment, ReviewerExpertise: service-owned
  (`review.services`: conflicts declared or detected withdraw assignments, the
  assignment follows its transition table, expertise is set on the reviewers page).
- ConductDeclaration, DiscussionPost: service-owned (`review.services.conduct_accept`,
  `discussion_post`).
"""

from django.contrib import admin

from programme.admin import AdminOwnedAdmin, ServiceOwnedAdmin

from . import models
from .bodies.services import body_create


@admin.register(models.Body)
class BodyAdmin(AdminOwnedAdmin):
    list_display = ["name_nl", "kind", "programme"]
    list_filter = ["kind", "programme"]

    def get_readonly_fields(self, request, obj=None):
        return ["programme", "kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        body = body_create(
            actor=request.user,
            programme=obj.programme,
            kind=obj.kind,
            name_nl=obj.name_nl,
            name_en=obj.name_en,
            description_nl=obj.description_nl,
            description_en=obj.description_en,
        )
        # The admin goes on with its own instance (message, log entry, redirect).
        obj.pk = body.pk
        obj._state.adding = False


@admin.register(models.Membership)
class MembershipAdmin(ServiceOwnedAdmin):
    list_display = ["user", "body", "seat", "organisation", "starts_on", "ends_on"]
    list_filter = ["body", "seat"]
    search_fields = ["user__email", "user__last_name", "organisation__name"]


@admin.register(models.Meeting)
class MeetingAdmin(ServiceOwnedAdmin):
    list_display = ["body", "date", "subject"]
    list_filter = ["body"]


@admin.register(models.ConflictDeclaration)
class ConflictDeclarationAdmin(ServiceOwnedAdmin):
    list_display = ["application", "reviewer", "has_conflict", "source", "declared_at"]
    list_filter = ["has_conflict", "source"]
    search_fields = ["reviewer__email", "application__acronym"]


@admin.register(models.ReviewAssignment)
class ReviewAssignmentAdmin(ServiceOwnedAdmin):
    list_display = ["application", "reviewer", "state", "assigned_at", "submitted_at"]
    list_filter = ["state"]
    search_fields = ["reviewer__email", "application__acronym"]


@admin.register(models.ConductDeclaration)
class ConductDeclarationAdmin(ServiceOwnedAdmin):
    list_display = ["reviewer", "version", "language", "accepted_at"]
    search_fields = ["reviewer__email"]


@admin.register(models.DiscussionPost)
class DiscussionPostAdmin(ServiceOwnedAdmin):
    list_display = ["application", "author", "is_moderator", "created_at"]
    search_fields = ["author__email", "application__acronym"]


@admin.register(models.ReviewerExpertise)
class ReviewerExpertiseAdmin(ServiceOwnedAdmin):
    list_display = ["user", "theme"]
    search_fields = ["user__email"]


@admin.register(models.FundedProject)
class FundedProjectAdmin(ServiceOwnedAdmin):
    list_display = ["application", "state", "committed", "paid", "released", "end_date"]
    list_filter = ["state"]
    search_fields = ["application__acronym"]


@admin.register(models.SupportAgreement)
class SupportAgreementAdmin(ServiceOwnedAdmin):
    list_display = ["project", "version", "start_date", "end_date", "aid_total", "signed_on"]


@admin.register(models.Payment)
class PaymentAdmin(ServiceOwnedAdmin):
    list_display = ["project", "kind", "year", "due_on", "amount", "state", "paid_at"]
    list_filter = ["state", "kind"]


@admin.register(models.ChangeRequest)
class ChangeRequestAdmin(ServiceOwnedAdmin):
    list_display = ["project", "kind", "state", "requested_at", "decided_at"]
    list_filter = ["state", "kind"]
