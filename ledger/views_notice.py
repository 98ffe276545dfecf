"""The monthly public accounts notice: the page, the A4 PDF, and the public verification page."""

import argparse

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from estate.caching import cacheable_by_hash
from ledger.anchors import head_status
from ledger.commands import parse_month
from ledger.forms import HeadForm
from ledger.models import ClosedMonth, MonthlyNotice, add_months, month_start
from ledger.notice import notice_context, notice_pdf, revive
from ledger.views import _require_public_accounts


def _month_or_404(text):
    """A month from the URL that can have a notice: not in the future, not before the ledger began."""
    try:
        month = parse_month(text)
    except argparse.ArgumentTypeError:
        raise Http404 from None
    if month > month_start(timezone.localdate()) or month.year < 2000:
        raise Http404
    return month


@login_required
def notices(request):
    """Posted notices, newest first, and the draft of the month that is running."""
    _require_public_accounts(request)
    posted = MonthlyNotice.objects.only("month", "sha256", "posted_at", "code")
    last_closed = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    draft = add_months(last_closed, 1) if last_closed else month_start(timezone.localdate())
    return render(request, "ledger/notices.html", {"posted": posted, "draft_month": draft})


@login_required
def notice(request, month):
    _require_public_accounts(request)
    context = notice_context(_month_or_404(month), request)
    return render(request, "ledger/notice.html", context)


def _posted_digest(request, month):
    _require_public_accounts(request)
    return MonthlyNotice.objects.filter(month=_month_or_404(month)).values_list("sha256", flat=True).first()


@login_required
@cacheable_by_hash(_posted_digest, public=False)
def notice_download(request, month):
    _require_public_accounts(request)
    month = _month_or_404(month)
    pdf, posted = notice_pdf(month, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    state = "" if posted else "-draft"
    response["Content-Disposition"] = f'inline; filename="notice-{month:%Y-%m}{state}.pdf"'
    return response


def _verified_digest(request, code):
    return MonthlyNotice.objects.filter(code=code).values_list("sha256", flat=True).first()


@cacheable_by_hash(_verified_digest, public=True)
def notice_verify(request, code):
    """Open to anyone holding the printed code: what the notice on the board shows, and its digest."""
    posted = get_object_or_404(MonthlyNotice, code=code)
    return render(request, "ledger/notice_verify.html", {
        "notice": revive(posted.data), "posted": posted, "digest": posted.sha256, "code": posted.code,
        "draft": False,
    })


def head_verify(request):
    """Open to anyone: is a chain head printed on a notice, a receipt or a committee e-mail still the books' own?

    Only the number and date of the transaction are shown: its memo may name a household.
    """
    form = HeadForm(request.GET or None)
    answer = txn = None
    if form.is_valid():
        answer, txn = head_status(form.cleaned_data["seq"], form.cleaned_data["hash"])
    return render(request, "ledger/head_verify.html", {"form": form, "answer": answer, "txn": txn})
