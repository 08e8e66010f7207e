"""The platform promises of the foundation: the embedded default runs on SQLite, the
production settings pass `check --deploy`, every Dutch string is translated, and e-mail
goes through a real Celery worker on Redis."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.urls import reverse

from . import factories

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def clean_env(**extra) -> dict:
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra)
    return env


def run(args, env, cwd=ROOT):
    return subprocess.run(
        [PYTHON, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_embedded_default_runs_on_sqlite_with_demo_data(tmp_path):
    env = clean_env(SQLITE_PATH=str(tmp_path / "demo.sqlite3"))
    for args in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "seed_demo"]):
        result = run(args, env)
        assert result.returncode == 0, result.stderr[-2000:]
    probe = """
import django, os
django.setup()
from django.conf import settings
from django.test import Client
from programme.models import Programme, User
assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
assert settings.CELERY_TASK_ALWAYS_EAGER is True
client = Client()
assert client.get("/").status_code == 200
# An applicant: staff would first be sent to two-factor enrolment (issue 11).
client.force_login(User.objects.get(email="aanvrager@demo.icon"))
page = client.get(f"/programmes/{Programme.objects.get().pk}/")
assert page.status_code == 200
print("TOTAL" if "10.000.000" in page.content.decode() else "MISSING")
"""
    result = run(["-c", probe], {**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "TOTAL"


def test_production_settings_pass_check_deploy():
    env = clean_env(
        DEBUG="false",
        SECRET_KEY="k8#Qz!vR2@pL6^wN9&tY4*hM1(jB5)xC7_sD3+fG0=aE-uI8~oP",
        ALLOWED_HOSTS="icon.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/icon",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_without_secret_key_refuses_to_start():
    result = run(["manage.py", "check"], clean_env(DEBUG="false"))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_malformed_boolean_setting_refuses_to_start():
    result = run(["manage.py", "check"], clean_env(DEBUG="maybe"))
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


def _catalogues(root: Path) -> dict[str, polib.POFile]:
    return {
        str(path.relative_to(root)): polib.pofile(str(path))
        for path in root.glob("**/locale/nl/LC_MESSAGES/django.po")
        if ".venv" not in path.parts
    }


def test_every_dutch_msgid_is_translated(tmp_path):
    """Extract the messages afresh from a copy of the code and require a Dutch
    translation for every one of them in the committed catalogues."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "var",
            "staticfiles",
            "*.mo",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
        ),
    )
    result = run(
        ["manage.py", "makemessages", "-l", "nl", "--no-obsolete", "-i", "tests", "-i", "var"],
        clean_env(SQLITE_PATH=str(tmp_path / "x.sqlite3")),
        cwd=copy,
    )
    assert result.returncode == 0, result.stderr
    committed = _catalogues(ROOT)
    problems = []
    for path, fresh in _catalogues(copy).items():
        known = committed.get(path)
        translated = {}
        if known is not None:
            translated = {
                (e.msgctxt, e.msgid): e
                for e in known
                if "fuzzy" not in e.flags
                and (e.msgstr or (e.msgid_plural and all(e.msgstr_plural.values())))
            }
        for entry in fresh:
            if (entry.msgctxt, entry.msgid) not in translated:
                problems.append(f"{path}: {entry.msgid!r}")
    assert problems == []


@pytest.mark.worker
def test_password_reset_mail_is_sent_by_a_real_worker(client, celery_worker_on_redis):
    user = factories.StaffFactory(email="reset-me@example.org")
    mail.outbox = []
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    import time

    for _ in range(100):  # the worker thread delivers within a few seconds
        if mail.outbox:
            break
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [["reset-me@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
