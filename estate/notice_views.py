"""Bulletin-board notices: the committee writes and posts; everyone with a role reads the archive."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import committee_required
from estate.forms import NoticeForm
from estate.models import Notice
from estate.notices import NoticeAlreadyPosted, notice_discard, notice_post, notice_save
from estate.pdf import render_pdf


def _require_role(user):
    if not user.active_roles:
        raise PermissionDenied


def _notices_for_user(user):
    """The committee sees drafts too; everyone else only what was posted."""
    notices = Notice.objects.all()
    return notices if user.is_committee else notices.filter(status=Notice.Status.POSTED)


def _get_notice_for_user(request, pk):
    _require_role(request.user)
    return get_object_or_404(_notices_for_user(request.user), pk=pk)


def _get_draft_for_committee(request, pk):
    notice = get_object_or_404(Notice, pk=pk)
    if notice.is_posted:
        raise Http404
    return notice


@login_required
def notice_list(request):
    _require_role(request.user)
    notices = _notices_for_user(request.user).only("title", "notice_date", "status", "signature")
    return render(request, "estate/notice_list.html", {"notices": notices})


@committee_required
def notice_new(request):
    initial = {"notice_date": timezone.localdate(), "signature": _("%(estate)s Owners' Committee")
               % {"estate": settings.SITE_NAME}}
    form = NoticeForm(request.POST or None, initial=initial)
    if form.is_valid():
        notice = notice_save(by=request.user, **form.cleaned_data)
        messages.success(request, _("Draft saved. Check it below, then post it."))
        return redirect(notice)
    return render(request, "estate/notice_form.html", {"form": form})


@committee_required
def notice_edit(request, pk):
    notice = _get_draft_for_committee(request, pk)
    form = NoticeForm(request.POST or None, instance=notice)
    if form.is_valid():
        notice_save(notice=notice, by=request.user, **form.cleaned_data)
        messages.success(request, _("Draft saved. Check it below, then post it."))
        return redirect(notice)
    return render(request, "estate/notice_form.html", {"form": form, "notice": notice})


@login_required
def notice_detail(request, pk):
    notice = _get_notice_for_user(request, pk)
    return render(request, "estate/notice_detail.html", {"notice": notice})


@login_required
def notice_pdf(request, pk):
    notice = _get_notice_for_user(request, pk)
    pdf = render_pdf("estate/notice_pdf.html", {"notice": notice}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@require_POST
@committee_required
def notice_post_view(request, pk):
    notice = _get_draft_for_committee(request, pk)
    try:
        notice_post(notice=notice, by=request.user)
    except NoticeAlreadyPosted:
        raise Http404 from None
    messages.success(request, _("The notice is posted: residents can read it now. Print it for the board."))
    return redirect(notice)


@require_POST
@committee_required
def notice_discard_view(request, pk):
    notice = _get_draft_for_committee(request, pk)
    notice_discard(notice=notice, by=request.user)
    messages.success(request, _("The draft was discarded."))
    return redirect("estate:notice-list")
