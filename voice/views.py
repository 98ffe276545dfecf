"""Proposals and comments. Everyone with a role in the estate reads them; outsiders get 403.

Proposals and common-area comments are the estate's public business, so they are
not scoped by household; a flat's repair ticket is, and answers 404 outside its reach.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import committee_required
from estate import panels, uploads
from estate.models import Version
from repairs.models import Ticket
from voice import services
from voice.forms import AnswerForm, CommentForm, HideForm, ProposalForm
from voice.models import Comment, Proposal, ProposalPhoto

# The proposals, supports and comments (migration 0003), the authors' households and the authors.
LIST_VERSIONS = (Version.DECISIONS, Version.REGISTER, Version.PEOPLE)


def _estate_member_required(view):
    """Anyone with a role in the estate; a login without one gets 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.active_roles:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _messages_from(request, error):
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def comments_of(queryset, viewer):
    """Comments with what the viewer may read: a hidden comment's text is kept for the committee only."""
    comments = list(queryset.select_related("author", "household", "hiding__by", "quote__contractor"))
    for comment in comments:
        comment.hidden = comment.hiding_or_none
        comment.readable = comment.hidden is None or viewer.is_committee
    return comments


@_estate_member_required
def proposal_list(request):
    """Kept whole per viewer and address (estate.panels.kept_page): made, the proposals with their authors'
    households and counts; kept, session, user with roles and the tokens."""
    def make(form_token):
        proposals = (Proposal.objects.select_related("household", "author")
                     .annotate(support_count=Count("supports", distinct=True),
                               comment_count=Count("comments", distinct=True)))
        status = request.GET.get("status", "")
        if status in Proposal.Status.values:
            proposals = proposals.filter(status=status)
        return render_to_string("voice/proposal_list.html", {
            "proposals": proposals, "status": status, "statuses": Proposal.Status.choices, "csrf_token": form_token,
        }, request), ()

    return panels.kept_page(request, "voice.proposals", LIST_VERSIONS, make)


@_estate_member_required
def proposal_new(request):
    if not request.user.is_resident:
        raise PermissionDenied
    form = ProposalForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(by=request.user, title=data["title"], body=data["body"],
                                                photos=data["photos"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your proposal is published. The committee will answer it here."))
            return redirect(proposal)
    return render(request, "voice/proposal_form.html", {"form": form})


def _get_proposal_for_user(request, pk):
    return get_object_or_404(Proposal.objects.select_related("household", "author", "answered_by",
                                                              "ticket", "motion"), pk=pk)


@_estate_member_required
def proposal_detail(request, pk):
    proposal = _get_proposal_for_user(request, pk)
    user = request.user
    supporters = set(proposal.supports.values_list("user_id", flat=True))
    return render(request, "voice/proposal_detail.html", {
        "proposal": proposal,
        "photos": list(proposal.photos.all()),
        "support_count": len(supporters),
        "may_support": (proposal.is_open and user.is_resident and user.pk != proposal.author_id
                        and user.pk not in supporters),
        "supported": user.pk in supporters,
        "comments": comments_of(proposal.comments.all(), user),
        "comment_form": CommentForm() if not services.comment_refusal(user) else None,
        "answer_form": AnswerForm() if user.is_committee and proposal.is_open else None,
        "hide_form": HideForm() if user.is_committee else None,
    })


@_estate_member_required
def proposal_photo(request, pk, photo_pk):
    proposal = _get_proposal_for_user(request, pk)
    photo = get_object_or_404(ProposalPhoto.objects.filter(proposal=proposal), pk=photo_pk)
    return uploads.serve(photo.file, download_name=f"proposal-{proposal.pk}-{photo.pk}.{photo.file.rsplit('.', 1)[-1]}")


@require_POST
@_estate_member_required
def proposal_support(request, pk):
    proposal = _get_proposal_for_user(request, pk)
    if not request.user.is_resident:
        raise PermissionDenied
    try:
        services.proposal_support(proposal=proposal, by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Thank you: your support is counted."))
    return redirect(proposal)


@require_POST
@_estate_member_required
def proposal_comment(request, pk):
    proposal = _get_proposal_for_user(request, pk)
    if services.comment_refusal(request.user):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(by=request.user, body=form.cleaned_data["body"], proposal=proposal)
        except ValidationError as error:
            _messages_from(request, error)
    else:
        _form_errors(request, form)
    return redirect(f"{proposal.get_absolute_url()}#comments")


@require_POST
@committee_required
def proposal_answer(request, pk):
    proposal = _get_proposal_for_user(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(proposal)
    data = form.cleaned_data
    try:
        if data["outcome"] == "ticket":
            services.proposal_accept_as_ticket(proposal=proposal, answer=data["answer"], by=request.user,
                                               category=data["category"], place=data["place"],
                                               building=data["building"])
        elif data["outcome"] == "motion":
            services.proposal_accept_as_motion(proposal=proposal, answer=data["answer"], motion=data["motion"],
                                               by=request.user)
        else:
            services.proposal_decline(proposal=proposal, answer=data["answer"], by=request.user)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("The answer is published."))
    return redirect(proposal)


@require_POST
@_estate_member_required
def ticket_comment(request, pk):
    """A resident's comment on a common-area ticket, or on one of its quotes."""
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
    if services.comment_refusal(request.user, ticket=ticket):
        raise PermissionDenied
    quotes = list(ticket.quotes.select_related("contractor"))
    form = CommentForm(request.POST, quotes=quotes)
    if form.is_valid():
        quote = next((quote for quote in quotes if quote.pk == form.cleaned_data.get("quote")), None)
        try:
            services.comment_add(by=request.user, body=form.cleaned_data["body"], ticket=ticket, quote=quote)
        except ValidationError as error:
            _messages_from(request, error)
    else:
        _form_errors(request, form)
    back = request.POST.get("back") == "quotes"
    return redirect(f"{ticket.get_absolute_url()}quotes/#comments" if back else
                    f"{ticket.get_absolute_url()}#comments")


@require_POST
@committee_required
def comment_hide(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal", "ticket"), pk=pk)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.comment_hide(comment=comment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("The comment is hidden; the reason shows in its place."))
    else:
        _form_errors(request, form)
    target = comment.proposal or comment.ticket
    return redirect(f"{target.get_absolute_url()}#comments")
