"""Ledger entries are never edited, only appended: the database refuses UPDATE and
DELETE on calls_ledgerentry (PostgreSQL and SQLite), whatever the Python code does."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION calls_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER calls_ledger_append_only
    BEFORE UPDATE OR DELETE ON calls_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION calls_ledger_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS calls_ledger_append_only ON calls_ledgerentry;
DROP FUNCTION IF EXISTS calls_ledger_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER calls_ledger_no_update BEFORE UPDATE ON calls_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER calls_ledger_no_delete BEFORE DELETE ON calls_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (DELETE refused)'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS calls_ledger_no_update;",
    "DROP TRIGGER IF EXISTS calls_ledger_no_delete;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("calls", "0002_registrations_documents_amendments")]

    operations = [migrations.RunPython(install, remove)]
