"""The budget drawn up with residents. Everyone with a role in the estate reads a published budget and its
comments; a draft is the committee's alone (404 for anyone else); outsiders get 403."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import committee_required, money_mfa_required
from budgeting import services
from budgeting.forms import CommentForm, HideForm, LinesForm, PlanForm, PublishForm, PutForm
from budgeting.models import Comment, Plan, Revision, RevisionLine
from ledger.models import Account


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


def _plans_for(user):
    plans = Plan.objects.all()
    return plans if user.is_committee else plans.exclude(status=Plan.Status.DRAFT)


def _get_plan_for_user(request, pk):
    """A draft is the committee's: to anyone else it is not there."""
    return get_object_or_404(_plans_for(request.user).select_related("decision"), pk=pk)


def _refused(request, error):
    for message in error.messages:
        messages.error(request, message)


def _expense_accounts():
    return list(Account.objects.filter(kind=Account.Kind.EXPENSE))


@_estate_member_required
def plan_list(request):
    """Queries: session, user, roles, plans."""
    return render(request, "budgeting/plan_list.html", {"plans": list(_plans_for(request.user))})


@committee_required
def plan_new(request):
    form = PlanForm(request.POST or None)
    if form.is_valid():
        try:
            plan = services.plan_create(
                year=form.cleaned_data["year"], intro=form.cleaned_data["intro"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("budgeting:edit", pk=plan.pk)
    return render(request, "budgeting/plan_form.html", {"form": form})


@committee_required
def plan_edit(request, pk):
    """The draft's lines, changed freely until it is published."""
    plan = _get_plan_for_user(request, pk)
    if not plan.is_draft:
        messages.error(request, _("The budget is published: change it by a revision, which everyone can see."))
        return redirect(plan)
    form = LinesForm(request.POST or None, accounts=_expense_accounts(), lines=plan.draft_lines.all(), intro=plan.intro)
    if form.is_valid():
        try:
            services.draft_save(plan=plan, intro=form.cleaned_data["intro"], lines=form.lines(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Draft saved. Residents see it once it is published."))
            return redirect(plan)
    return render(request, "budgeting/lines_form.html", {"plan": plan, "form": form, "revising": False})


@committee_required
def plan_revise(request, pk):
    plan = _get_plan_for_user(request, pk)
    latest = plan.revisions.order_by("-number").first()
    if latest is None:
        return redirect("budgeting:edit", pk=plan.pk)
    form = LinesForm(request.POST or None, accounts=_expense_accounts(), lines=latest.lines.all(), note=True)
    if form.is_valid():
        try:
            revision = services.plan_revise(
                plan=plan, lines=form.lines(), note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Revision %(number)s is published beside the earlier ones.") % {"number": revision.number}
            )
            return redirect(f"{plan.get_absolute_url()}#revisions")
    return render(
        request, "budgeting/lines_form.html", {"plan": plan, "form": form, "revising": True, "latest": latest}
    )


def _history(plan):
    """Every revision, newest first, each with its lines, total and what changed from the one before."""
    revisions = list(
        plan.revisions.select_related("by").prefetch_related(
            Prefetch("lines", queryset=RevisionLine.objects.select_related("account"))
        )
    )
    history, previous = [], None
    for revision in revisions:
        revision.total = sum((line.amount for line in revision.lines.all()), Decimal("0.00"))
        revision.changes = services.revision_changes(previous, revision)
        revision.total_before = previous.total if previous else None
        history.append(revision)
        previous = revision
    return history[::-1]


def _comments(plan, viewer):
    """The plan's comments by line (account id, None for the whole budget); a hidden text is for the committee."""
    by_line = {}
    for comment in plan.comments.select_related("author", "household", "hiding__by", "revision"):
        comment.hidden = comment.hiding_or_none
        comment.readable = comment.hidden is None or viewer.is_committee
        by_line.setdefault(comment.account_id, []).append(comment)
    return by_line


@_estate_member_required
def plan_detail(request, pk):
    """Queries: session, user, roles, plan, revisions, their lines, comments, the latest putting, its decision."""
    plan = _get_plan_for_user(request, pk)
    user = request.user
    context = {"plan": plan, "is_committee": user.is_committee}
    if plan.is_draft:
        lines = list(plan.draft_lines.select_related("account"))
        context.update(
            lines=lines,
            total=sum((line.amount for line in lines), Decimal("0.00")),
            publish_form=PublishForm() if user.is_committee else None,
        )
        return render(request, "budgeting/plan_detail.html", context)
    history = _history(plan)
    latest = history[0]
    comments = _comments(plan, user)
    for line in latest.lines.all():
        line.comments = comments.get(line.account_id, [])
    putting = services.latest_putting(plan)
    state = services.vote_state(putting)
    comments_open = plan.comments_open()
    context.update(
        latest=latest,
        history=history,
        lines=list(latest.lines.all()),
        total=latest.total,
        general_comments=comments.get(None, []),
        # Comments on a line no longer in the budget stay readable under the revision history.
        removed_comments=[
            c
            for key, group in comments.items()
            if key is not None and key not in {line.account_id for line in latest.lines.all()}
            for c in group
        ],
        comments_open=comments_open,
        putting=putting,
        vote_state=state,
        comment_form=(
            CommentForm(lines=latest.lines.all()) if comments_open and not services.comment_refusal(user) else None
        ),
        hide_form=HideForm() if user.is_committee else None,
        may_revise=user.is_committee and not plan.is_adopted and state in (None, "failed"),
        may_put=user.is_committee and not plan.is_adopted and state in (None, "failed") and plan.comments_over(),
        may_adopt=user.is_committee and not plan.is_adopted and state == "passed",
    )
    return render(request, "budgeting/plan_detail.html", context)


@require_POST
@committee_required
def plan_publish(request, pk):
    plan = _get_plan_for_user(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.plan_publish(plan=plan, comments_end=form.cleaned_data["comments_end"], by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("The draft budget is published; residents may comment until the end of %(date)s.")
                % {"date": form.cleaned_data["comments_end"].isoformat()},
            )
    else:
        messages.error(request, _("Choose the last day of comments."))
    return redirect(plan)


@require_POST
@_estate_member_required
def plan_comment(request, pk):
    plan = _get_plan_for_user(request, pk)
    if services.comment_refusal(request.user) or plan.is_draft:
        raise PermissionDenied
    latest = plan.revisions.order_by("-number").first()
    lines = list(latest.lines.select_related("account"))
    form = CommentForm(request.POST, lines=lines)
    if form.is_valid():
        account = next((line.account for line in lines if line.account_id == form.cleaned_data["line"]), None)
        try:
            services.comment_add(plan=plan, by=request.user, body=form.cleaned_data["body"], account=account)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Thank you: your comment is published under the budget."))
            return redirect(f"{plan.get_absolute_url()}#line-{account.code if account else 'all'}")
    else:
        for errors in form.errors.values():
            _refused(request, ValidationError(errors))
    return redirect(f"{plan.get_absolute_url()}#comment")


@require_POST
@committee_required
def comment_hide(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("plan", "account"), pk=pk)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.comment_hide(comment=comment, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The comment is hidden; the reason shows in its place."))
    else:
        messages.error(request, _("Say why the comment is hidden: everyone reads the reason."))
    return redirect(f"{comment.plan.get_absolute_url()}#line-{comment.account.code if comment.account else 'all'}")


@committee_required
def plan_put(request, pk):
    """After the comment period: the latest revision goes to the owners as a BUDGET motion."""
    plan = _get_plan_for_user(request, pk)
    latest = Revision.objects.filter(plan=plan).order_by("-number").first()
    if latest is None:
        raise PermissionDenied
    form = PutForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            putting = services.plan_put_to_vote(
                plan=plan,
                assembly=data["assembly"],
                voting_starts=data["voting_starts"],
                voting_ends=data["voting_ends"],
                accepts=data["accepts"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The budget is put to the owners' vote."))
            return redirect(putting.motion)
    return render(
        request,
        "budgeting/put_form.html",
        {"plan": plan, "form": form, "latest": latest, "text": services.motion_text(latest)},
    )


@require_POST
@committee_required
@money_mfa_required
def plan_adopt(request, pk):
    plan = _get_plan_for_user(request, pk)
    try:
        plan = services.plan_adopt(plan=plan, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("The budget is adopted: the ledger's budget for %(year)s cites decision %(number)s.")
            % {"year": plan.year, "number": plan.decision.number},
        )
    return redirect(plan)
