"""Every change of a budget drawn up with residents: atomic, written to the activity log, nothing left on failure.

Errors meant for people are ValidationError with a translated message; the
wrong person gets PermissionDenied. Each change of a published plan locks its
row first, so a revision cannot slip in while the budget is put to the vote
or adopted.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.activity import log_action
from budgeting.models import Comment, CommentHiding, DraftLine, Plan, Putting, Revision, RevisionLine
from decisions import services as decisions
from decisions.models import Assembly, Decision, Motion
from estate.models import Household
from estate.wording import labelled
from ledger import services as ledger
from ledger.models import Account, Budget
from ledger.money import round_money


def now():
    """The time the services act at: decisions' clock, so the demo can place its steps in the past."""
    return decisions.now()


def today():
    return timezone.localdate(now())


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _committee(by):
    if not by.is_committee:
        raise PermissionDenied


def _locked(plan):
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _checked_lines(lines):
    """[(account, amount, explanation)] → the same, checked: expense categories, each once, amounts in fen."""
    checked, seen = [], set()
    for account, amount, explanation in lines:
        if account.kind != Account.Kind.EXPENSE:
            _refuse(_("Choose an expense category."), "not_expense")
        if account.pk in seen:
            _refuse(_("%(category)s is in the budget twice.") % {"category": account.name}, "twice")
        if (
            not isinstance(amount, Decimal)
            or amount < 0
            or amount != round_money(amount)
            or amount > settings.LEDGER_MAX_AMOUNT
        ):
            _refuse(_("Enter an amount in yuan, like 39.59."), "amount")
        seen.add(account.pk)
        checked.append((account, amount, (explanation or "").strip()))
    if not checked:
        _refuse(_("A budget needs at least one line."), "no_lines")
    return checked


def _amounts(lines):
    return {account.code: f"{amount}" for account, amount, _explanation in lines}


# The committee's draft ----------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, year, intro="", by):
    _committee(by)
    if Plan.objects.filter(year=year).exists():
        _refuse(_("The budget for %(year)s is already being drawn up.") % {"year": year}, "year_taken")
    plan = Plan.objects.create(year=year, intro=intro.strip(), created_by=by, created_at=now())
    log_action("budgeting.plan.created", plan, by=by, details={"year": year})
    return plan


@transaction.atomic
def draft_save(*, plan, intro, lines, by):
    """Replace the draft's introduction and lines; refused once the draft is published."""
    _committee(by)
    plan = _locked(plan)
    if not plan.is_draft:
        _refuse(_("The budget is published: change it by a revision, which everyone can see."), "published")
    lines = _checked_lines(lines)
    plan.intro = intro.strip()
    plan.save(update_fields=["intro"])
    plan.draft_lines.all().delete()
    DraftLine.objects.bulk_create(
        DraftLine(plan=plan, account=account, amount=amount, explanation=explanation)
        for account, amount, explanation in lines
    )
    log_action("budgeting.draft.saved", plan, by=by, details={"lines": _amounts(lines)})
    return plan


def _new_revision(plan, *, number, lines, note, by):
    revision = Revision.objects.create(plan=plan, number=number, note=note, by=by, at=now())
    RevisionLine.objects.bulk_create(
        RevisionLine(revision=revision, account=account, amount=amount, explanation=explanation)
        for account, amount, explanation in lines
    )
    return revision


@transaction.atomic
def plan_publish(*, plan, comments_end, by):
    """Publish the draft as revision 1 and open the comment period to the end of `comments_end`."""
    _committee(by)
    plan = _locked(plan)
    if not plan.is_draft:
        _refuse(_("This budget is published already."), "published")
    earliest = today() + timedelta(days=Plan.MIN_COMMENT_DAYS)
    if comments_end < earliest:
        _refuse(
            _("Give residents at least %(days)d days to comment: until %(date)s or later.")
            % {"days": Plan.MIN_COMMENT_DAYS, "date": earliest.isoformat()},
            "period_short",
        )
    lines = [(line.account, line.amount, line.explanation) for line in plan.draft_lines.select_related("account")]
    if not lines:
        _refuse(_("A budget needs at least one line."), "no_lines")
    revision = _new_revision(plan, number=1, lines=lines, note="", by=by)
    plan.status, plan.comments_end, plan.published_at, plan.published_by = (
        Plan.Status.PUBLISHED,
        comments_end,
        now(),
        by,
    )
    plan.save(update_fields=["status", "comments_end", "published_at", "published_by"])
    log_action(
        "budgeting.plan.published",
        plan,
        by=by,
        details={"comments_end": comments_end.isoformat(), "revision": revision.number, "lines": _amounts(lines)},
    )
    # Those who asked to hear of new notices are told, once, with the transaction (messaging/jobs.py).
    from messaging.jobs import publication_tell
    from messaging.models import Topic

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Draft budget %(year)s: comments until %(date)s") % {
            "year": plan.year,
            "date": comments_end.isoformat(),
        }
    publication_tell(kind=Topic.NOTICE, title=title, link=plan.get_absolute_url(), key=f"budget:{plan.pk}")
    return plan


# Residents' comments ------------------------------------------------------------------------------------------------


def comment_refusal(user):
    """Why `user` may not comment on budgets at all, or None (the same rule as every resident's comment)."""
    from voice.services import comment_refusal as voice_refusal

    return voice_refusal(user)


@transaction.atomic
def comment_add(*, plan, by, body, account=None):
    """A comment on one line (`account`) of the published budget, or on the budget as a whole."""
    if comment_refusal(by):
        raise PermissionDenied
    if plan.is_draft:
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        _refuse(_("Write your comment."), "empty")
    if len(body) > Comment.MAX_LENGTH:
        _refuse(_("At most %(count)s characters, please.") % {"count": Comment.MAX_LENGTH}, "too_long")
    if not plan.comments_open(today()):
        _refuse(
            _("Comments on this budget closed at the end of %(date)s.") % {"date": plan.comments_end.isoformat()},
            "comments_closed",
        )
    revision = plan.revisions.order_by("-number").first()
    if account is not None and not revision.lines.filter(account=account).exists():
        _refuse(_("That line is not in the budget."), "no_such_line")
    ids = sorted(by.household_ids)
    household = Household.objects.get(pk=ids[0]) if ids else None
    comment = Comment.objects.create(
        plan=plan, account=account, revision=revision, author=by, household=household, body=body, at=now()
    )
    log_action(
        "budgeting.comment.added",
        plan,
        by=by,
        details={"comment": comment.pk, **({"line": account.code} if account else {})},
    )
    return comment


@transaction.atomic
def comment_hide(*, comment, reason, by):
    """Hide a comment from residents, with the reason shown in its place; the comment itself stays."""
    _committee(by)
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why the comment is hidden: everyone reads the reason."), "no_reason")
    try:
        with transaction.atomic():
            hiding = CommentHiding.objects.create(comment=comment, reason=reason, by=by, at=now())
    except IntegrityError:
        _refuse(_("This comment is hidden already."), "hidden")
    log_action("budgeting.comment.hidden", comment.plan, by=by, details={"comment": comment.pk, "reason": reason})
    return hiding


# Revisions, the vote, adoption --------------------------------------------------------------------------------------


def latest_putting(plan):
    return plan.puttings.select_related("motion", "revision").order_by("-at", "-pk").first()


def vote_state(putting):
    """None (never put), "voting" (the motion is a draft or open), "passed" or "failed"."""
    if putting is None:
        return None
    if not putting.motion.is_closed:
        return "voting"
    return "passed" if Decision.objects.for_motion(putting.motion) is not None else "failed"


def _check_revisable(plan):
    if plan.is_draft:
        _refuse(_("Publish the draft first; until then, edit it."), "draft")
    if plan.is_adopted:
        _refuse(_("This budget is adopted: it can no longer be revised."), "adopted")
    state = vote_state(latest_putting(plan))
    if state == "voting":
        _refuse(_("The owners are voting on this budget; nothing can change until the vote closes."), "voting")
    if state == "passed":
        _refuse(_("The owners passed this budget: adopt it as it is."), "passed")


@transaction.atomic
def plan_revise(*, plan, lines, note, by):
    """A new revision, kept beside the earlier ones, with a note answering the comments."""
    _committee(by)
    plan = _locked(plan)
    _check_revisable(plan)
    note = (note or "").strip()
    if not note:
        _refuse(_("Say what changed and why: the note answers the residents' comments."), "no_note")
    lines = _checked_lines(lines)
    number = plan.revisions.order_by("-number").values_list("number", flat=True).first() + 1
    revision = _new_revision(plan, number=number, lines=lines, note=note, by=by)
    log_action("budgeting.plan.revised", plan, by=by, details={"revision": number, "lines": _amounts(lines)})
    return revision


def motion_text(revision):
    """The full text the owners vote on: the budget's lines and total, in the estate's language."""
    plan = revision.plan
    lines = list(revision.lines.select_related("account"))
    total = sum((line.amount for line in lines), Decimal("0.00"))
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            _("The estate's budget for %(year)s (revision %(number)s), to be adopted as follows.")
            % {"year": plan.year, "number": revision.number}
        ]
        if plan.intro:
            parts.append(plan.intro)
        # One numbered line per category, "name: amount (explanation)": read aloud or on a phone, it stays a table.
        rows = [_("Lines, amounts in yuan:")]
        for n, line in enumerate(lines, start=1):
            row = labelled(line.account.name, f"{line.amount:,.2f}")
            if line.explanation:
                row = _("%(line)s (%(explanation)s)") % {"line": row, "explanation": line.explanation}
            rows.append(f"{n}. {row}")
        rows.append(labelled(_("Total"), f"{total:,.2f}"))
        parts.append("\n".join(rows))
        parts.append(
            _(
                "Published for residents' comments until %(date)s; %(count)d comment(s) received. "
                "Revisions and comments: %(link)s"
            )
            % {"date": plan.comments_end.isoformat(), "count": plan.comments.count(), "link": plan.get_absolute_url()}
        )
        if revision.note:
            parts.append(_("The committee's note on this revision: %(note)s") % {"note": revision.note})
    return "\n\n".join(parts)


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def plan_put_to_vote(*, plan, voting_starts, voting_ends, accepts, by, assembly=None):
    """After the comment period: the latest revision becomes a BUDGET motion, opened for the owners' vote."""
    _committee(by)
    plan = _locked(plan)
    _check_revisable(plan)
    if not plan.comments_over(today()):
        _refuse(
            _("Residents may comment until the end of %(date)s; put the budget to the vote after that.")
            % {"date": plan.comments_end.isoformat()},
            "comments_open",
        )
    revision = plan.revisions.order_by("-number").first()
    if assembly is None:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Vote on the budget for %(year)s") % {"year": plan.year}
        assembly = decisions.assembly_save(title=title, form=Assembly.Form.WRITTEN, by=by)
    text = motion_text(revision)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The budget for %(year)s") % {"year": plan.year}
    motion = decisions.motion_save(
        assembly=assembly,
        title=title,
        text=text,
        kind=Motion.Kind.BUDGET,
        voting_starts=voting_starts,
        voting_ends=voting_ends,
        accepts=accepts,
        by=by,
    )
    motion = decisions.motion_open(motion=motion, by=by)
    putting = Putting.objects.create(
        plan=plan, revision=revision, motion=motion, text_sha256=_sha256(text), by=by, at=now()
    )
    log_action("budgeting.plan.put_to_vote", plan, by=by, details={"revision": revision.number, "motion": motion.pk})
    return putting


@transaction.atomic
def plan_adopt(*, plan, by):
    """Set the year's budget in the ledger from the revision the owners passed, citing their decision.

    `by` is the committee member, or None for the schedule (budgeting/schedule.py) after the vote's close.
    """
    if by is not None:
        _committee(by)
    plan = _locked(plan)
    if plan.is_adopted:
        _refuse(
            _("This budget is adopted already (decision %(number)s).") % {"number": plan.decision.number}, "adopted"
        )
    putting = latest_putting(plan)
    if putting is None:
        _refuse(_("Put the budget to the owners' vote first."), "not_put")
    decision = Decision.objects.for_motion(putting.motion)
    if decision is None or decision.kind != Motion.Kind.BUDGET:
        _refuse(
            _("The owners have not passed this budget: it can be adopted only after their vote passes it."),
            "not_passed",
        )
    latest = plan.revisions.order_by("-number").first()
    if putting.revision_id != latest.pk or _sha256(putting.motion.text) != putting.text_sha256:
        _refuse(
            _("The budget was changed after it was put to the vote: put the changed budget to the owners."), "changed"
        )
    lines = list(latest.lines.select_related("account"))
    for line in lines:
        ledger.budget_set(year=plan.year, account=line.account, amount=line.amount, by=by, decision=decision)
    # A category budgeted before but left out of the adopted budget has none now.
    kept = {line.account_id for line in lines}
    for budget in Budget.objects.filter(year=plan.year).exclude(account_id__in=kept).select_related("account"):
        ledger.budget_set(year=plan.year, account=budget.account, amount=Decimal("0.00"), by=by, decision=decision)
    plan.status, plan.decision, plan.adopted_at, plan.adopted_by = Plan.Status.ADOPTED, decision, now(), by
    plan.save(update_fields=["status", "decision", "adopted_at", "adopted_by"])
    log_action("budgeting.plan.adopted", plan, by=by, details={"decision": decision.number, "revision": latest.number})
    return plan


# Reading ------------------------------------------------------------------------------------------------------------


def revision_changes(previous, revision):
    """What changed per line from `previous` to `revision` (lines prefetched): [{account, old, new, change}]."""
    old = {line.account_id: line for line in previous.lines.all()} if previous else {}
    new = {line.account_id: line for line in revision.lines.all()}
    rows = []
    for account_id in sorted(
        old.keys() | new.keys(), key=lambda pk: ((new.get(pk) or old.get(pk)).account.position, pk)
    ):
        before, after = old.get(account_id), new.get(account_id)
        if before and after and before.amount == after.amount and before.explanation == after.explanation:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        rows.append(
            {
                "account": (after or before).account,
                "old": before.amount if before else None,
                "new": after.amount if after else None,
                "change": change,
                "explanation": after.explanation if after else "",
            }
        )
    return rows
