"""django-allauth, fitted to this project: its e-mail goes through the one mail path
(programme.services.queue_email, sent by the worker after the transaction commits), and
a person who signs up holds exactly the applicant role: every other role is given by an
administrator (programme.services.user_set_roles in the admin).
"""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message (subject and plain text, in the reader's language,
        which is the language of the page they asked it from) and queue it; nothing is
        sent while the request runs, so a broken mail server never answers the person."""
        message = self.render_mail(template_prefix, email, {"email": email, **context})
        services.queue_email(to=list(message.to), subject=message.subject, body=message.body)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = (getattr(request, "LANGUAGE_CODE", "") or "nl")[:2]
        user.language = language if language in ("nl", "en") else "nl"
        if commit:
            services.user_sign_up(user=user)
        return user


class LoginForm(allauth_forms.LoginForm):
    """allauth's login form, its address field labelled as on the rest of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["password"].label = _("Password")
