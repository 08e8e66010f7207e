"""Accounts made before django-allauth (by an administrator, the demo or an invitation
that was answered) keep logging in: their address counts as verified. New accounts
verify theirs through allauth's mail."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("programme", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=pk, email=email, verified=True, primary=True)
        for pk, email in User.objects.exclude(pk__in=known).values_list("pk", "email")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0002_generated_report"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
