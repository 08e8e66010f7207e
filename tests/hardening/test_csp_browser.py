"""The Content-Security-Policy enforced in a real browser: a session through the pages
with scripts (login, countdown, application with its confirm button, htmx autosave,
budget grid, language switch) and no violation and no console error. Its own module:
a live-server test flushes the database, which the access matrix's world (built once
per module, in test_csp.py) would block."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.builders import ready_application

pytestmark = pytest.mark.hardening

POLICY = "; ".join(f"{name} {' '.join(values)}" for name, values in settings.SECURE_CSP.items())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_with_the_policy_enforced_has_no_console_errors(live_server, browser):
    application = ready_application()
    applicant = application.created_by
    context = browser.new_context(locale="nl-BE")
    context.set_default_timeout(15_000)
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on(
        "response",
        lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    violations = []

    def visit(path):
        response = page.goto(live_server.url + path)
        assert response.headers.get("content-security-policy") == POLICY
        page.wait_for_load_state("networkidle")
        violations.extend(page.evaluate("window.__csp"))

    try:
        visit(reverse("login"))
        page.fill("#id_login", applicant.email)
        page.fill("#id_password", "pw-for-tests-123")
        page.click("main button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        visit(reverse("call_detail", args=[application.call.pk]))
        visit(reverse("application_detail", args=[application.pk]))
        # The confirm question comes from static/js/app.js (no inline onclick): dismissed,
        # the partner stays.
        remove = page.locator("button[data-confirm]").first
        if remove.count():
            page.once("dialog", lambda dialog: dialog.dismiss())
            remove.click()
            assert page.url.endswith(reverse("application_detail", args=[application.pk]))
        visit(reverse("application_edit", args=[application.pk]))
        page.fill("input[name=title]", "Titel via htmx opgeslagen")
        page.wait_for_load_state("networkidle")
        partner = application.partners.first()
        visit(reverse("partner_budget", args=[application.pk, partner.pk]))
        # The language switch submits itself (static/js/app.js, no inline handler).
        page.select_option("#language-switch", "en")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "en"
        violations.extend(page.evaluate("window.__csp"))
    finally:
        context.close()
    assert violations == []
    assert errors == []
