"""bench/bulk.py writes the books ledger.services would: the same estate built both ways, table by table."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction

from bench.history import build_estate
from ledger.checks import first_violation

# The clock stands still during both builds: every posting's created_at, which its hash covers, is then the
# same in both, and so are the hashes, the chain head and every other timestamp (receipts, approvals, closes).
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# A posted notice's QR code is drawn at random (secrets), and its stored PDF, digest and size with it.
RANDOM = {"monthlynotice": {"code", "pdf", "sha256", "size"}}


# The tables of the books, numbered as the services number their rows (the hashes cover some of the numbers):
# compared row by row in primary key order. A ledger table not named here holds figures derived from them
# (running totals, rebuilt in one go after a bulk build, so perhaps numbered otherwise): compared by content.
BOOKS = {
    "account",
    "fund",
    "chainhead",
    "transaction",
    "entry",
    "closedmonth",
    "feerate",
    "feeadjustment",
    "charge",
    "payment",
    "settlement",
    "spentpayment",
    "cashhandover",
    "receiptcounter",
    "receipt",
    "income",
    "expense",
    "approval",
    "attachment",
    "budget",
    "monthlynotice",
    "submission",
}


def _ledger_tables():
    """{table: every row} of every model of the ledger, in primary key order, or sorted for derived figures."""
    tables = {}
    for model in apps.get_app_config("ledger").get_models():
        name = model._meta.model_name
        left_out = RANDOM.get(name, set())
        if name not in BOOKS and isinstance(model._meta.pk, models.AutoField):
            left_out = left_out | {model._meta.pk.attname}
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in left_out]
        rows = list(model.objects.order_by("pk").values_list(*fields))
        tables[model._meta.db_table] = rows if name in BOOKS else sorted(rows, key=repr)
    return tables


def _numbering_from_the_last_row():
    """Every table's next primary key after its last row, as on a fresh database: PostgreSQL's sequences do not
    go back when a test's transaction is rolled back, SQLite's do."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


def _pdf(data, *, code):
    """Laying out 48 notices would take most of a minute; what they say (their data) is compared all the same."""
    return b"%PDF-1.4 the notice of " + data["month"].encode()


def _build(**options):
    """The estate built, its ledger tables read, and all of it rolled back."""
    with (
        time_machine.travel(NOW, tick=False),
        mock.patch("ledger.notice.render_notice_pdf", _pdf),
        transaction.atomic(),
    ):
        _numbering_from_the_last_row()
        build_estate(12, years=2, progress=lambda line: None, **options)
        tables = _ledger_tables()
        violation = first_violation()
        transaction.set_rollback(True)
    return tables, violation


@pytest.mark.django_db
def test_the_bulk_builder_writes_the_books_the_services_write():
    by_services, services_violation = _build(close=True)
    in_bulk, bulk_violation = _build(close=True, bulk=True)
    assert services_violation is None
    assert bulk_violation is None
    assert by_services["ledger_transaction"], "the services posted nothing: the comparison would prove nothing"
    assert len(by_services["ledger_monthlynotice"]) == 24
    assert len(by_services["ledger_settlement"]) > 100
    assert any("reversal" in row for row in by_services["ledger_transaction"]), "a payment reversed in the history"
    for table in by_services:
        assert len(in_bulk[table]) == len(by_services[table]), table
        for services_row, bulk_row in zip(by_services[table], in_bulk[table], strict=True):
            assert bulk_row == services_row, table


@pytest.mark.django_db
def test_the_bulk_built_books_pass_check_ledger_with_the_months_open():
    tables, violation = _build(close=False, bulk=True)
    assert violation is None
    assert not tables["ledger_closedmonth"]
    assert tables["ledger_chainhead"][0][1] == len(tables["ledger_transaction"])
