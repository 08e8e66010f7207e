import importlib

from django.core.management.base import BaseCommand

from programme.demo import DEMO_PASSWORD

# Each app may have a demo.py with seed(); they run in this order, each building on the
# previous one (programme -> calls -> applications -> evaluation and decisions).
DEMO_APPS = ["programme", "calls", "projects", "governance"]


class Command(BaseCommand):
    help = (
        "Load the demo: the 2019/2020 personalised-medicine programme of seed 001 to the "
        "euro (total 10,000,000), its action domains, themes and KPIs, an organisations "
        "registry and one login per role. Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        logins = []
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            result = module.seed()
            if app == "programme":
                logins = result
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all: %s):" % DEMO_PASSWORD))
        for roles, email in logins:
            self.stdout.write(f"  {email:<30} {roles}")
