"""`manage.py seed_demo`: lives in governance, the top app, because it seeds every app
in the order each builds on the previous one."""

from django.core.management.base import BaseCommand

from calls import demo as calls_demo
from governance import demo as governance_demo
from programme import demo as programme_demo
from projects import demo as projects_demo


class Command(BaseCommand):
    help = (
        "Load the demo: the 2019/2020 personalised-medicine programme of seed 001 to the "
        "euro (total 10,000,000), its action domains, themes and KPIs, an organisations "
        "registry, one login per role, the calls, applications, reviews and decisions. "
        "Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        logins = programme_demo.seed()
        calls_demo.seed()
        projects_demo.seed()
        governance_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Logins (password for all: {programme_demo.DEMO_PASSWORD}):"
            )
        )
        for roles, email in logins:
            self.stdout.write(f"  {email:<30} {roles}")
        self.stdout.write(
            "  Every login but the applicants' asks for a second factor: add the secret "
            f"{programme_demo.DEMO_TOTP_SECRET} to an authenticator app, or run "
            "`make demo-code` for the current code."
        )
