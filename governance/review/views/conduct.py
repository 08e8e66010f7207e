"""Pages of the reviewers' conduct: the code of conduct and confidentiality declaration a
reviewer accepts before the first proposal opens, and the discussion of a proposal
between its assigned reviewers and the moderator (beside the consensus form; htmx posts
without leaving the page, plain form posts without JavaScript)."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from programme.access import permission_required
from projects.models import Application

from .. import domain, selectors, services
from ..models import ConductDeclaration


class DiscussionForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=domain.MAX_POST_LENGTH,
    )


class ConductForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy(
            "I have read the code of conduct and the confidentiality declaration and accept them."
        )
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    # A path of this site only: anything else (a view name, another host) is ignored.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


@permission_required("governance.review")
def conduct_declaration(request: HttpRequest) -> HttpResponse:
    """The code of conduct and confidentiality declaration in force; accepting it lets
    the reviewer open their proposals (and returns them where they were going)."""
    accepted = ConductDeclaration.objects.filter(
        reviewer=request.user, version=domain.CONDUCT_VERSION
    ).first()
    form = ConductForm(request.POST or None)
    if request.method == "POST" and accepted is None and form.is_valid():
        services.conduct_accept(actor=request.user, language=translation.get_language() or "nl")
        return redirect(_safe_next(request) or "review_list")
    return render(
        request,
        "governance/review/conduct.html",
        {
            "form": form,
            "accepted": accepted,
            "version": domain.CONDUCT_VERSION,
            "next": _safe_next(request) or "",
        },
    )


def discussion_context(request: HttpRequest, application, access, form=None) -> dict:
    """What the discussion partial needs (also used by the consensus and review pages)."""
    is_moderator = request.user.has_perm("governance.manage_reviews")
    return {
        "discussion_application": application,
        "discussion_readable": access.readable,
        "discussion_reason": access.reason,
        "discussion_posts": selectors.discussion_posts(
            application, request.user, is_moderator=is_moderator
        )
        if access.readable
        else [],
        "discussion_form": form or DiscussionForm(),
    }


@permission_required("governance.discuss_proposal")
def discussion(request: HttpRequest, pk: int) -> HttpResponse:
    """The discussion of one proposal: 404 for anyone who may not know it (conflicted,
    not assigned), 403 for an assigned reviewer who has not submitted yet."""
    application = get_object_or_404(Application.objects.select_related("call"), pk=pk)
    is_moderator = request.user.has_perm("governance.manage_reviews")
    access = selectors.discussion_access(request.user, application, is_moderator=is_moderator)
    if not access.visible:
        raise Http404("not a participant")
    if not access.readable:
        return HttpResponseForbidden(access.reason)
    form = DiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discussion_post(
                actor=request.user,
                application=application,
                body=form.cleaned_data["body"],
                is_moderator=is_moderator,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("body", message)
        else:
            if not request.htmx:
                return redirect(_safe_next(request) or request.path)
            form = DiscussionForm()
    context = discussion_context(request, application, access, form)
    context["next"] = _safe_next(request) or ""
    if request.htmx:
        return render(request, "governance/review/_discussion.html", context)
    return render(request, "governance/review/discussion.html", context)
