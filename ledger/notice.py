"""The monthly public accounts notice (公共收支公示): figures, rendering, posting, verification.

A month's notice is built from ledger.reports.month_report() into a snapshot
of plain data (`notice_data`). The HTML page, the A4 PDF and the public
verification page are all rendered from that snapshot with one template, so
they show the same thing. Closing a month posts its notice: the snapshot and
the PDF are stored once, with the PDF's SHA-256, and from then on the stored
bytes are served unchanged (a trigger keeps the row from being altered). An
open month renders live, marked 草稿 (draft), without a verification code.
"""

import functools
import secrets
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import module_has_submodule

from accounts.activity import log_action
from estate import cached
from estate.models import Version
from estate.pdf import PostedPdfTampered, posted_pdf_read, posted_pdf_store, qr_data_uri, render_pdf
from ledger.citations import notice_decisions
from ledger.models import Account, MonthlyNotice, add_months, month_start
from ledger.reports import month_report

SNAPSHOT_VERSION = 1
# Keys of the snapshot whose values are money (stored as "123.45", revived as Decimal); the other apps'
# sections name their own (notice_sections()).
MONEY_KEYS = frozenset({
    "amount", "billed", "collected", "received", "ytd_billed", "ytd_collected", "total", "owed",
    "raised", "spent", "remaining", "target", "budget", "actual", "income_total", "expense_total",
    "arrears_total", "opening", "closing", "opening_total", "closing_total",
})
BALANCE_ACCOUNTS = (Account.CASH, Account.BANK, Account.HELD_BY_HEADS)


# The stored PDF no longer matches the digest recorded when it was posted.
NoticeTampered = PostedPdfTampered


def _money(value):
    return None if value is None else f"{value:.2f}"


def _percent(value):
    return None if value is None else f"{value}"


def notice_data(month, *, posted_on=None):
    """The month's notice as plain data (JSON-ready): every figure as the ledger has it, and every word the
    sections put in it (a key's purpose) in the estate's language, like the printed notice, whoever asks."""
    with translation.override(settings.LANGUAGE_CODE):
        return _notice_data(month_start(month), posted_on)


def _notice_data(month, posted_on):
    report = month_report(month.year, month.month)
    names = dict(Account.objects.filter(code__in=BALANCE_ACCOUNTS).values_list("code", "name"))

    balances = [{"name": names[code], "opening": _money(report.opening[code]), "closing": _money(report.closing[code])}
                for code in BALANCE_ACCOUNTS]
    fund_balances = [{"name": name, "opening": _money(report.opening["funds"].get(name, Decimal("0"))),
                      "closing": _money(closing)} for name, closing in report.closing["funds"].items()]
    posting_days = settings.NOTICE_POSTING_DAYS
    data = {
        "version": SNAPSHOT_VERSION,
        "estate": settings.SITE_NAME,
        "month": f"{month:%Y-%m}", "year": month.year, "month_number": month.month,
        "posting": None if posted_on is None else {
            "from": posted_on.isoformat(), "to": (posted_on + timedelta(days=posting_days - 1)).isoformat()},
        "balances": balances, "fund_balances": fund_balances,
        "opening_total": _money(sum((report.opening[code] for code in BALANCE_ACCOUNTS), Decimal("0"))),
        "closing_total": _money(sum((report.closing[code] for code in BALANCE_ACCOUNTS), Decimal("0"))),
        "fees": {
            "billed": _money(report.billed), "collected": _money(report.collected),
            "rate": _percent(report.collection_rate), "received": _money(report.received),
            "households_paid": report.households_paid, "households_billed": report.households_billed,
            "ytd_billed": _money(report.year_to_date.billed), "ytd_collected": _money(report.year_to_date.collected),
            "ytd_rate": _percent(report.year_to_date.rate),
        },
        "income": [{"name": row["name"], "amount": _money(row["amount"])} for row in report.income_by_kind],
        "income_lines": [
            {"date": line.date.isoformat(), "kind": line.account.name, "source": line.source,
             "period": line.period, "fund": line.fund.name if line.fund else "", "amount": _money(line.amount)}
            for line in report.incomes
        ],
        "income_total": _money(report.received + report.other_income_total),
        "expenses": [
            {"date": row["date"].isoformat(), "category": row["category"],
             "payee": row["expense"].public_payee,
             "description": row["description"], "fund": row["fund"], "amount": _money(row["amount"]),
             "approvers": row["approvers"], "reversed": row["reversed"]}
            for row in report.expenses
        ],
        "expense_total": _money(report.expense_total),
        "funds": [{"name": f["name"], "target": _money(f["target"]), "raised": _money(f["raised"]),
                   "spent": _money(f["spent"]), "remaining": _money(f["remaining"])} for f in report.funds],
        "budget": [{"name": b["name"], "budget": _money(b["budget"]), "actual": _money(b["actual"]),
                    "used": _percent(b["used"]), "over": b["over"]} for b in report.budget],
        "arrears": [{"code": a["code"], "owed": _money(a["owed"]), "open_months": a["open_months"]}
                    for a in report.arrears],
        "arrears_total": _money(report.arrears_total),
        "chain": {"seq": report.head_seq, "hash": report.head_hash},
    }
    data.update(_other_parts(month))
    # The decision number beside what only the owners may decide (ledger.citations).
    data["decisions"] = notice_decisions(add_months(month, 1) - timedelta(days=1))
    return data


@functools.cache
def notice_sections():
    """The sections other apps add to the notice, in INSTALLED_APPS order: every app with a notice_section
    module (KEY, TEMPLATE, MONEY_KEYS, VERSIONS: those of the tables it reads, notice_data(month)), found as the
    dashboard finds panels, so that those apps depend on the ledger and never the other way round
    (docs/ARCHITECTURE.md, "The monthly notice")."""
    return tuple(
        import_module(f"{config.name}.notice_section")
        for config in apps.get_app_configs()
        if config.name != "ledger" and module_has_submodule(config.module, "notice_section")
    )


@functools.cache
def notice_versions():
    """The versions (estate.models.Version) of every table a notice is made from: the books, the register, the
    people who approved or kept keys, the owners' decisions cited, and what the other apps' sections read."""
    own = (Version.LEDGER, Version.REGISTER, Version.PEOPLE, Version.DECISIONS)
    return own + tuple(version for section in notice_sections() for version in section.VERSIONS)


def draft_data(month, request=None):
    """An open month's notice_data, made once per state of every table it is made from and day (estate.cached):
    residents open this month's draft far more often than a posting changes it, and it is some forty queries."""
    month = month_start(month)
    return cached.figure(request, "ledger.notice.draft", lambda: notice_data(month),
                         key=(f"{month:%Y-%m}", timezone.localdate()), versions=notice_versions())


def _other_parts(month):
    data = {}
    for section in notice_sections():
        data.update(section.notice_data(month))
    return data


@functools.cache
def _money_keys():
    return MONEY_KEYS.union(*(section.MONEY_KEYS for section in notice_sections()))


def revive(data):
    """The snapshot with money as Decimal again, for the money filter (which takes nothing else)."""
    if isinstance(data, dict):
        return {key: (Decimal(value) if key in _money_keys() and isinstance(value, str) else revive(value))
                for key, value in data.items()}
    if isinstance(data, list):
        return [revive(item) for item in data]
    return data


def verification_url(code):
    return settings.SITE_URL + reverse("notice-verify", args=[code])


def _context(data, *, code=None, digest=None):
    context = {"notice": revive(data), "draft": code is None, "code": code, "digest": digest}
    if code:
        url = verification_url(code)
        context.update(verify_url=url, qr=qr_data_uri(url))
    return context


def render_notice_pdf(data, *, code=None):
    """The A4 PDF, always in the estate's language: it is the official document on the board."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf("ledger/notice_pdf.html", _context(data, code=code))


def notice_context(month, request=None):
    """What the notice page shows: the posted snapshot of a closed month, else today's draft."""
    posted = MonthlyNotice.objects.filter(month=month_start(month)).first()
    if posted is not None:
        return _context(posted.data, code=posted.code, digest=posted.sha256) | {"posted": posted}
    return _context(draft_data(month, request)) | {"posted": None}


def notice_post(*, month, by):
    """Render the month's notice once and store it with its digest. Called when the month closes,
    inside the same transaction: if posting fails, the month stays open."""
    month = month_start(month)
    posted_on = timezone.localdate()
    data = notice_data(month, posted_on=posted_on)
    code = secrets.token_urlsafe(12)
    pdf = render_notice_pdf(data, code=code)
    name, digest = posted_pdf_store(pdf, folder="notices", stem=f"{month:%Y-%m}")
    notice = MonthlyNotice.objects.create(
        month=month, code=code, data=data, pdf=name, sha256=digest, size=len(pdf),
        posted_by=by if by is not None and by.is_authenticated else None,
    )
    log_action("ledger.notice.posted", notice, by=by, details={"month": f"{month:%Y-%m}", "sha256": digest})
    return notice


def notice_pdf(month, request=None):
    """The notice's PDF bytes: exactly the stored ones for a posted month, else the draft, rendered once per state
    of what it is made from and day (half a second of weasyprint's a time, however often it is downloaded)."""
    month = month_start(month)
    posted = MonthlyNotice.objects.filter(month=month).first()
    if posted is None:
        pdf = cached.figure(request, "ledger.notice.draft.pdf", lambda: render_notice_pdf(draft_data(month, request)),
                            key=(f"{month:%Y-%m}", timezone.localdate()), versions=notice_versions())
        return pdf, None
    return posted_pdf_read(posted.pdf, posted.sha256), posted
