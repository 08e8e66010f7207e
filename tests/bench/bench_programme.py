"""Foundation figures: home and programme pages with the demo data, served by gunicorn."""

from programme.models import Programme

STAFF = "medewerker@vlaio.demo"
PM = "programmamanager@demo.icon"


def run(ctx) -> dict:
    programme = Programme.objects.get(code="gg-2019")
    pages = {
        "home_anonymous": ("/", None),
        "home_staff": ("/", STAFF),
        "home_programme_manager": ("/", PM),
        "programme_page_staff": (f"/programmes/{programme.pk}/", STAFF),
        "organisation_list_staff": ("/organisations/", STAFF),
    }
    figures = {}
    for name, (path, email) in pages.items():
        load = ctx.load(path, requests=300, concurrency=8, email=email)
        figures[f"{name}.median_ms"] = load["median_ms"]
        figures[f"{name}.p95_ms"] = load["p95_ms"]
        figures[f"{name}.rps"] = load["rps"]
        figures[f"{name}.errors"] = load["errors"]
        figures[f"{name}.queries"] = ctx.queries(path, email=email)
    return figures
