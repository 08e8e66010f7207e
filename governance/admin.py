from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


@admin.register(models.Body)
class BodyAdmin(SimpleHistoryAdmin):
    list_display = ["name_nl", "kind", "programme"]
    list_filter = ["kind", "programme"]


@admin.register(models.Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    # The admin is a back door around services.membership_create: the overlap rule is
    # not checked here; the body page shows the composition checks either way.
    list_display = ["user", "body", "seat", "organisation", "starts_on", "ends_on"]
    list_filter = ["body", "seat"]
    search_fields = ["user__email", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(models.Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["body", "date", "subject"]
    list_filter = ["body"]
    filter_horizontal = ["attendees"]


# Review side: read-mostly views for support; writes belong to governance.services (the
# admin would bypass the conflict and scale rules).
@admin.register(models.ConflictDeclaration)
class ConflictDeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["application", "reviewer", "has_conflict", "source", "declared_at"]
    list_filter = ["has_conflict", "source"]
    search_fields = ["reviewer__email", "application__acronym"]
    readonly_fields = ["application", "reviewer", "has_conflict", "reason", "source"]


@admin.register(models.ReviewAssignment)
class ReviewAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["application", "reviewer", "state", "assigned_at", "submitted_at"]
    list_filter = ["state"]
    search_fields = ["reviewer__email", "application__acronym"]
    readonly_fields = ["application", "reviewer", "state", "assigned_by", "submitted_at"]


@admin.register(models.ReviewerExpertise)
class ReviewerExpertiseAdmin(SimpleHistoryAdmin):
    list_display = ["user", "theme"]
    search_fields = ["user__email"]
