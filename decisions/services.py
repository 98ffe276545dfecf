"""Every write of owners' decisions. Each function is atomic and records who did it in the activity log.

Errors meant for people are django ValidationError with a translated message
and a code; nothing is written when one is raised.

Order: every ballot, confirmation, correction and the close first lock the
motion's row, so that a ballot cannot slip in while the motion closes, and two
units of one owner cannot be given different choices at the same moment. The
database's unique constraints stand behind the lock (one original ballot per
unit, one correction per ballot): a second submission from another tab or a
double tap finds the first and is refused.
"""

import secrets
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.activity import log_action
from decisions import tally as counting
from decisions.models import (
    Assembly,
    Ballot,
    BallotConfirmation,
    Decision,
    DecisionCounter,
    Motion,
    MotionAttachment,
    OwnedUnit,
    Owner,
    Proxy,
    RollEntry,
    Tally,
    head_key,
)
from estate.models import Household, Resident
from estate.pdf import posted_pdf_store, qr_data_uri, render_pdf
from estate.uploads import store

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed from paper

_clock = ContextVar("decisions_clock", default=None)


def now():
    """The time the services act at: the real time, except inside `clock()`."""
    return _clock.get() or timezone.now()


@contextmanager
def clock(at):
    """Act as at `at`: the demo's past votes are opened, cast and closed through these same services."""
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _locked(motion):
    return Motion.objects.select_for_update().get(pk=motion.pk)


def _draft(motion):
    motion = _locked(motion)
    if not motion.is_draft:
        _refuse(_("Voting on this motion has opened: it can no longer be changed."), "not_editable")
    return motion


# Owners and proxies ---------------------------------------------------------------------------------------------

@transaction.atomic
def owner_save(*, owner=None, name, note="", households, by):
    """Mark units as belonging to one owner (they count as one head); `households` replaces the owner's units."""
    households = list(households)
    if len(households) < 2:
        _refuse(_("Mark at least two units: an owner of one unit is one head anyway."), "too_few_units")
    taken = OwnedUnit.objects.filter(household__in=households)
    if owner is not None:
        taken = taken.exclude(owner=owner)
    taken = sorted(taken.values_list("household__code", flat=True))
    if taken:
        _refuse(_("Already marked as another owner's: %(units)s.") % {"units": "、".join(taken)}, "unit_taken")
    if owner is None:
        owner = Owner.objects.create(name=name, note=note, created_by=by)
        verb = "decisions.owner.marked"
    else:
        owner.name, owner.note = name, note
        owner.save(update_fields=["name", "note"])
        owner.units.exclude(household__in=households).delete()
        verb = "decisions.owner.changed"
    marked = set(owner.units.values_list("household_id", flat=True))
    OwnedUnit.objects.bulk_create(OwnedUnit(owner=owner, household=h, marked_by=by)
                                  for h in households if h.pk not in marked)
    log_action(verb, owner, by=by, details={"units": sorted(h.code for h in households)})
    return owner


@transaction.atomic
def owner_unmark(*, owner, by):
    """The units count one head each again (they were sold, or marked by mistake)."""
    units = sorted(owner.units.values_list("household__code", flat=True))
    owner.units.all().delete()
    log_action("decisions.owner.unmarked", owner, by=by, details={"units": units})
    owner.delete()


@transaction.atomic
def proxy_record(*, household, grantor_name, holder, holder_name, scan, by, assembly=None, valid_until=None):
    """Record a written proxy with its scan (a PreparedFile from estate.uploads)."""
    proxy = Proxy.objects.create(
        household=household, grantor_name=grantor_name, holder=holder, holder_name=holder_name,
        assembly=assembly, valid_until=valid_until, scan=store(scan, folder="decisions/proxies"), recorded_by=by,
        recorded_at=now(),
    )
    log_action("decisions.proxy.recorded", proxy, by=by,
               details={"unit": household.code, "holder": holder_name, "assembly": str(assembly or "")})
    return proxy


@transaction.atomic
def proxy_revoke(*, proxy, reason, by):
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.revoked_at is not None:
        _refuse(_("This proxy was already revoked."), "already_revoked")
    proxy.revoked_at, proxy.revoked_by, proxy.revoked_reason = now(), by, reason
    proxy.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    log_action("decisions.proxy.revoked", proxy, by=by, details={"reason": reason})
    return proxy


def voting_standing(user, household, motion):
    """How `user` may cast `household`'s ballot on `motion`: ("owner", Resident), ("proxy", Proxy) or None.

    An owner is a resident recorded as the unit's owner with this login; family
    members and tenants vote only with a written proxy that covers the motion.
    """
    if not user.is_authenticated:
        return None
    owner = Resident.objects.filter(household=household, user=user, relation=Resident.Relation.OWNER,
                                    is_active=True).first()
    if owner is not None:
        return ("owner", owner)
    for proxy in Proxy.objects.filter(household=household, holder=user, revoked_at__isnull=True):
        if proxy.covers(motion, now()):
            return ("proxy", proxy)
    return None


def units_for_voter(user, motion):
    """The units on `motion`'s roll `user` may vote for, with their standing: [(household, standing)]."""
    if not user.is_authenticated:
        return []
    ids = set(Resident.objects.filter(user=user, relation=Resident.Relation.OWNER, is_active=True)
              .values_list("household_id", flat=True))
    ids |= set(Proxy.objects.filter(holder=user, revoked_at__isnull=True).values_list("household_id", flat=True))
    on_roll = RollEntry.objects.filter(motion=motion, household_id__in=ids).select_related("household")
    units = []
    for entry in on_roll:
        standing = voting_standing(user, entry.household, motion)
        if standing is not None:
            units.append((entry.household, standing))
    return units


# Assemblies and motions -----------------------------------------------------------------------------------------

@transaction.atomic
def assembly_save(*, assembly=None, title, form, description="", by):
    if assembly is None:
        assembly = Assembly.objects.create(title=title, form=form, description=description, created_by=by,
                                           created_at=now())
        verb = "decisions.assembly.created"
    else:
        assembly.title, assembly.form, assembly.description = title, form, description
        assembly.save(update_fields=["title", "form", "description"])
        verb = "decisions.assembly.changed"
    log_action(verb, assembly, by=by, details={"title": title})
    return assembly


@transaction.atomic
def motion_save(*, motion=None, assembly, title, text, kind, voting_starts, voting_ends, accepts,
                public_shows_units=False, by):
    """Draft a motion, or change a draft; refused once voting has opened."""
    if voting_ends <= voting_starts:
        _refuse(_("Voting must end after it starts."), "period_order")
    if motion is None:
        motion = Motion(assembly=assembly, created_by=by, created_at=now())
        verb = "decisions.motion.drafted"
    else:
        motion = _draft(motion)
        verb = "decisions.motion.changed"
    motion.title, motion.text, motion.kind = title, text, kind
    motion.voting_starts, motion.voting_ends, motion.accepts = voting_starts, voting_ends, accepts
    motion.public_shows_units = public_shows_units
    motion.save()
    log_action(verb, motion, by=by, details={"title": title, "kind": kind})
    return motion


@transaction.atomic
def motion_attach(*, motion, prepared, by):
    motion = _draft(motion)
    attachment = MotionAttachment.objects.create(
        motion=motion, name=store(prepared, folder="decisions/attachments"),
        original_name=prepared.original_name, content_type=prepared.content_type, uploaded_by=by,
    )
    log_action("decisions.attachment.added", motion, by=by, details={"file": attachment.original_name})
    return attachment


@transaction.atomic
def motion_attachment_remove(*, attachment, by):
    motion = _draft(attachment.motion)
    log_action("decisions.attachment.removed", motion, by=by, details={"file": attachment.original_name})
    attachment.delete()


@transaction.atomic
def motion_discard(*, motion, by):
    """Throw away a draft that never opened."""
    motion = _draft(motion)
    log_action("decisions.motion.discarded", motion, by=by, details={"title": motion.title})
    motion.attachments.all().delete()
    motion.delete()


def _roll():
    """Every unit on the register now, with its area and head."""
    shared = dict(OwnedUnit.objects.values_list("household_id", "owner_id"))
    return [(h.pk, h.area, head_key(h.pk, shared.get(h.pk)))
            for h in Household.objects.filter(is_active=True).only("pk", "area")]


@transaction.atomic
def motion_open(*, motion, by):
    """Open voting: freeze the roll (every unit on the register, its area and head) and publish the motion."""
    motion = _draft(motion)
    at = now()
    if motion.voting_ends <= at:
        _refuse(_("The voting period is already over: set a new one before opening."), "period_over")
    roll = _roll()
    if not roll:
        _refuse(_("There are no units on the register to vote."), "empty_roll")
    RollEntry.objects.bulk_create(RollEntry(motion=motion, household_id=pk, area=area, head=head)
                                  for pk, area, head in roll)
    motion.total_area = sum((area for _pk, area, _head in roll), start=counting.m2(0))
    motion.total_heads = len({head for _pk, _area, head in roll})
    motion.status, motion.opened_at, motion.opened_by = Motion.Status.OPEN, at, by
    motion.save(update_fields=["total_area", "total_heads", "status", "opened_at", "opened_by"])
    log_action("decisions.motion.opened", motion, by=by, details={
        "total_area": f"{motion.total_area}", "total_heads": motion.total_heads,
        "ends": motion.voting_ends.isoformat()})
    # Those who asked to hear of new notices and motions are told, once, with the transaction (messaging/jobs.py).
    from messaging.jobs import publication_tell
    from messaging.models import Topic

    publication_tell(kind=Topic.MOTION, title=motion.title, link=motion.get_absolute_url(), key=f"motion:{motion.pk}")
    return motion


# Ballots -------------------------------------------------------------------------------------------------------

def _new_code(motion):
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not Ballot.objects.filter(motion=motion, code=code).exists():
            return code


def _check_can_take_ballot(motion, household, choice, *, correcting=None):
    if motion.is_closed:
        _refuse(_("Voting on this motion has closed: no more ballots are taken."), "closed")
    if not motion.is_open:
        _refuse(_("Voting on this motion has not opened."), "not_open")
    if choice not in Ballot.Choice.values:
        _refuse(_("Choose for, against or abstain."), "no_choice")
    entry = RollEntry.objects.filter(motion=motion, household=household).first()
    if entry is None:
        _refuse(_("Unit %(unit)s is not on this vote's roll.") % {"unit": household.code}, "not_on_roll")
    # The units of one owner are one head, so they carry one choice.
    siblings = (Ballot.objects.counted().filter(motion=motion, household__in=RollEntry.objects.filter(
        motion=motion, head=entry.head).exclude(household=household).values("household"))
        .exclude(choice=choice).values_list("household__code", flat=True))
    if entry.head.startswith("owner:") and siblings:
        _refuse(_("The same owner's unit %(units)s voted otherwise; the units of one owner count as one head and "
                  "take one choice.") % {"units": "、".join(sorted(siblings))}, "owner_choice_differs")
    return entry


def _in_period(motion):
    at = now()
    if at < motion.voting_starts:
        _refuse(_("Voting starts at %(when)s.") % {"when": timezone.localtime(motion.voting_starts)
                                                   .strftime("%Y-%m-%d %H:%M")}, "not_started")
    if at >= motion.voting_ends:
        _refuse(_("Voting on this motion has closed: no more ballots are taken."), "closed")


def _create_ballot(**fields):
    """Insert under a savepoint: if the unit's ballot was cast a moment ago, refuse rather than fail."""
    try:
        with transaction.atomic():
            return Ballot.objects.create(**fields)
    except IntegrityError:
        _refuse(_("Unit %(unit)s has already voted on this motion.") % {"unit": fields["household"].code},
                "already_voted")


def _check_not_voted(motion, household):
    if Ballot.objects.filter(motion=motion, household=household).exists():
        _refuse(_("Unit %(unit)s has already voted on this motion.") % {"unit": household.code}, "already_voted")


@transaction.atomic
def ballot_cast(*, motion, household, choice, by):
    """An owner (or the holder of their written proxy) votes on a phone. Returns the ballot (its receipt)."""
    motion = _locked(motion)
    _check_can_take_ballot(motion, household, choice)
    if not motion.accepts_online():
        _refuse(_("This motion takes ballots on paper only."), "paper_only")
    _in_period(motion)
    standing = voting_standing(by, household, motion)
    if standing is None:
        _refuse(_("Only the owner of %(unit)s, or someone holding the owner's written proxy, may vote for it.")
                % {"unit": household.code}, "not_entitled")
    _check_not_voted(motion, household)
    kind, holder = standing
    ballot = _create_ballot(
        motion=motion, household=household, choice=choice, channel=Ballot.Channel.ONLINE,
        voter_name=holder.name if kind == "owner" else holder.holder_name,
        proxy=holder if kind == "proxy" else None, cast_by=by, cast_at=now(), code=_new_code(motion),
    )
    # The choice stays out of the log until the close: the log is read by the committee.
    log_action("decisions.ballot.cast", motion, by=by,
               details={"unit": household.code, "channel": "online", "proxy": kind == "proxy", "code": ballot.code})
    return ballot


@transaction.atomic
def ballot_enter_paper(*, motion, household, choice, voter_name, scan, by, proxy=None):
    """A committee member enters a paper ballot from its scan; it counts once a second member confirms it."""
    motion = _locked(motion)
    _check_can_take_ballot(motion, household, choice)
    if not motion.accepts_paper():
        _refuse(_("This motion takes ballots on a phone only."), "online_only")
    _in_period(motion)
    if proxy is not None and (proxy.household_id != household.pk or not proxy.covers(motion, now())):
        _refuse(_("That proxy does not cover this unit and this vote."), "proxy_not_valid")
    _check_not_voted(motion, household)
    ballot = _create_ballot(
        motion=motion, household=household, choice=choice, channel=Ballot.Channel.PAPER, voter_name=voter_name,
        proxy=proxy, cast_by=by, cast_at=now(), scan=store(scan, folder="decisions/ballots"), code=_new_code(motion),
    )
    log_action("decisions.ballot.entered", motion, by=by,
               details={"unit": household.code, "channel": "paper", "code": ballot.code})
    return ballot


@transaction.atomic
def ballot_confirm(*, ballot, choice, by):
    """A second committee member reads the paper and enters its choice again; it must match the first entry.

    The confirming member types the choice without seeing the first entry, so
    the two readings of the paper are independent (like counting cash twice).
    """
    motion = _locked(ballot.motion)
    ballot = Ballot.objects.select_related("household").get(pk=ballot.pk)
    if motion.is_closed:
        _refuse(_("Voting on this motion has closed: no more ballots are taken."), "closed")
    if not ballot.is_paper or hasattr(ballot, "confirmation") or hasattr(ballot, "replaced_by"):
        _refuse(_("This ballot is not waiting for a confirmation."), "not_awaiting")
    if ballot.cast_by_id == by.pk:
        _refuse(_("A paper ballot is confirmed by a second committee member, not by the one who entered it."),
                "same_member")
    if choice != ballot.choice:
        _refuse(_("Your reading of the paper differs from the entry. Look at the paper again; if the entry is "
                  "wrong, correct it."), "mismatch")
    confirmation = BallotConfirmation.objects.create(ballot=ballot, by=by, at=now())
    log_action("decisions.ballot.confirmed", motion, by=by,
               details={"unit": ballot.household.code, "code": ballot.code})
    return confirmation


@transaction.atomic
def ballot_correct(*, ballot, choice, voter_name, reason, scan, by, proxy=None):
    """Replace a ballot before the close: a new paper ballot, with the reason and the paper that shows it.

    Both stay; the new one counts once a second member confirms it.
    """
    motion = _locked(ballot.motion)
    ballot = Ballot.objects.select_related("household").get(pk=ballot.pk)
    if not reason.strip():
        _refuse(_("Say why the ballot is corrected."), "no_reason")
    _check_can_take_ballot(motion, ballot.household, choice)
    if hasattr(ballot, "replaced_by"):
        _refuse(_("This ballot was already corrected; correct the newest one."), "already_replaced")
    if proxy is not None and (proxy.household_id != ballot.household_id or not proxy.covers(motion, now())):
        _refuse(_("That proxy does not cover this unit and this vote."), "proxy_not_valid")
    try:
        with transaction.atomic():
            correction = Ballot.objects.create(
                motion=motion, household=ballot.household, choice=choice, channel=Ballot.Channel.PAPER,
                voter_name=voter_name, proxy=proxy, cast_by=by, scan=store(scan, folder="decisions/ballots"),
                replaces=ballot, reason=reason.strip(), cast_at=now(), code=_new_code(motion),
            )
    except IntegrityError:
        _refuse(_("This ballot was already corrected; correct the newest one."), "already_replaced")
    log_action("decisions.ballot.corrected", motion, by=by, details={
        "unit": ballot.household.code, "replaces": ballot.code, "code": correction.code, "reason": reason})
    return correction


@transaction.atomic
def ballot_change(*, ballot, choice, reason, by):
    """The unit's owner (or proxy holder) changes the unit's vote on a phone before the close.

    Like a committee member's correction: a new ballot replaces the current one, both are kept, the reason is
    recorded with the new one; its receipt has a new code. The reason stays out of the activity log, which the
    committee reads, since it may tell the choice.
    """
    motion = _locked(ballot.motion)
    ballot = Ballot.objects.select_related("household").get(pk=ballot.pk)
    household = ballot.household
    if not (reason or "").strip():
        _refuse(_("Say why you change your vote; it is kept with the new ballot."), "no_reason")
    _check_can_take_ballot(motion, household, choice)
    if not motion.accepts_online():
        _refuse(_("This motion takes ballots on paper only."), "paper_only")
    _in_period(motion)
    standing = voting_standing(by, household, motion)
    if standing is None:
        _refuse(_("Only the owner of %(unit)s, or someone holding the owner's written proxy, may vote for it.")
                % {"unit": household.code}, "not_entitled")
    if hasattr(ballot, "replaced_by"):
        _refuse(_("This ballot was already corrected; correct the newest one."), "already_replaced")
    if choice == ballot.choice:
        _refuse(_("That is the choice already recorded for %(unit)s.") % {"unit": household.code}, "same_choice")
    kind, holder = standing
    try:
        with transaction.atomic():
            change = Ballot.objects.create(
                motion=motion, household=household, choice=choice, channel=Ballot.Channel.ONLINE,
                voter_name=holder.name if kind == "owner" else holder.holder_name,
                proxy=holder if kind == "proxy" else None, cast_by=by, replaces=ballot, reason=reason.strip(),
                cast_at=now(), code=_new_code(motion),
            )
    except IntegrityError:
        _refuse(_("This ballot was already corrected; correct the newest one."), "already_replaced")
    log_action("decisions.ballot.changed", motion, by=by, details={
        "unit": household.code, "replaces": ballot.code, "code": change.code, "proxy": kind == "proxy"})
    return change


# Participation and the close -------------------------------------------------------------------------------------

def participation(motion):
    """Live figures while voting is open, without choices: who has taken part, and how far from two thirds."""
    roll = {e.household_id: (e.area, e.head) for e in RollEntry.objects.filter(motion=motion)}
    counted = set(Ballot.objects.counted().filter(motion=motion).values_list("household_id", flat=True))
    voted_fen = sum(counting.fen(roll[unit][0]) for unit in counted)
    voted_heads = len({roll[unit][1] for unit in counted})
    total_fen = sum(counting.fen(area) for area, _head in roll.values())
    total_heads = len({head for _area, head in roll.values()})
    need_fen = counting.needed_at_least(total_fen, counting.PARTICIPATION)
    need_heads = counting.needed_at_least(total_heads, counting.PARTICIPATION)
    return {
        "total_area": counting.m2(total_fen), "total_heads": total_heads,
        "voted_area": counting.m2(voted_fen), "voted_heads": voted_heads,
        "voted_units": len(counted),
        "area_percent": counting.percent(voted_fen, total_fen),
        "heads_percent": counting.percent(voted_heads, total_heads),
        "need_area": counting.m2(need_fen), "need_heads": need_heads,
        "short_area": counting.m2(max(0, need_fen - voted_fen)), "short_heads": max(0, need_heads - voted_heads),
        "awaiting_confirmation": Ballot.objects.awaiting_confirmation().filter(motion=motion).count(),
        "met": voted_fen >= need_fen and voted_heads >= need_heads,
    }


def _next_decision_number(year):
    DecisionCounter.objects.get_or_create(year=year)
    counter = DecisionCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _sheet_lines(motion):
    """Every unit on the roll with its counted choice, if any, for the sheet."""
    ballots = {b.household_id: b for b in Ballot.objects.counted().filter(motion=motion)}
    return [
        {"unit": entry.household.code, "area": f"{entry.area}",
         "choice": ballots[entry.household_id].choice if entry.household_id in ballots else "",
         "channel": ballots[entry.household_id].channel if entry.household_id in ballots else "",
         "code": ballots[entry.household_id].code if entry.household_id in ballots else ""}
        for entry in RollEntry.objects.filter(motion=motion).select_related("household")
    ]


@transaction.atomic
def motion_close(*, motion, by):
    """Close the vote: count once, store the tally and its sheet, and number the decision if it passed."""
    motion = _locked(motion)
    if motion.is_closed:
        _refuse(_("This motion is already closed."), "already_closed")
    if not motion.is_open:
        _refuse(_("Voting on this motion has not opened."), "not_open")
    if now() < motion.voting_ends:
        _refuse(_("Voting runs until %(when)s; it can be closed after that.")
                % {"when": timezone.localtime(motion.voting_ends).strftime("%Y-%m-%d %H:%M")}, "still_running")
    waiting = Ballot.objects.awaiting_confirmation().filter(motion=motion).count()
    if waiting:
        _refuse(_("%(count)d paper ballot(s) still wait for a second member's confirmation.") % {"count": waiting},
                "awaiting_confirmation")
    roll = {e.household_id: (e.area, e.head) for e in RollEntry.objects.filter(motion=motion)}
    choices = dict(Ballot.objects.counted().filter(motion=motion).values_list("household_id", "choice"))
    try:
        result = counting.count(roll, choices, three_quarters=motion.needs_three_quarters)
    except ValueError:
        _refuse(_("Units of one owner carry different choices; correct them before the close."),
                "owner_choice_differs")
    closed_at = now()
    decision = None
    if result.passed:
        year = timezone.localtime(closed_at).year
        decision = Decision.objects.create(motion=motion, kind=motion.kind, title=motion.title, year=year,
                                           sequence=_next_decision_number(year), decided_at=closed_at)
    figures = {
        "total_area": counting.m2(result.total_fen), "total_heads": result.total_heads,
        "voted_area": counting.m2(result.voted_fen), "voted_heads": result.voted_heads,
        "yes_area": counting.m2(result.yes_fen), "yes_heads": result.yes_heads,
        "no_area": counting.m2(result.no_fen), "no_heads": result.no_heads,
        "abstain_area": counting.m2(result.abstain_fen), "abstain_heads": result.abstain_heads,
        "quorum_met": result.quorum_met, "passed": result.passed,
    }
    reasons = [test.as_dict() for test in result.tests]
    data = sheet_data(motion, figures, reasons, decision=decision, closed_at=closed_at)
    code = secrets.token_urlsafe(12)
    pdf = render_sheet_pdf(data, code=code)
    name, digest = posted_pdf_store(pdf, folder="decisions/tallies", stem=f"motion-{motion.pk}")
    tally = Tally.objects.create(motion=motion, reasons=reasons, data=data, closed_at=closed_at, closed_by=by,
                                 code=code, pdf=name, sha256=digest, size=len(pdf), **figures)
    motion.status = Motion.Status.CLOSED
    motion.save(update_fields=["status"])
    log_action("decisions.motion.closed", motion, by=by, details={
        "passed": result.passed, "quorum_met": result.quorum_met, "sha256": digest,
        "decision": decision.number if decision else ""})
    return tally


def sheet_data(motion, figures, reasons, *, decision, closed_at):
    """The tally sheet as plain data (JSON-ready), from which its page, PDF and public page are all rendered."""
    return {
        "version": 1,
        "estate": settings.SITE_NAME,
        "motion": {"id": motion.pk, "title": motion.title, "text": motion.text, "kind": motion.kind,
                   "item": motion.item, "three_quarters": motion.needs_three_quarters,
                   "assembly": motion.assembly.title, "form": motion.assembly.form,
                   "starts": timezone.localtime(motion.voting_starts).strftime("%Y-%m-%d %H:%M"),
                   "ends": timezone.localtime(motion.voting_ends).strftime("%Y-%m-%d %H:%M")},
        "closed_at": timezone.localtime(closed_at).strftime("%Y-%m-%d %H:%M"),
        "figures": {key: (f"{value}" if hasattr(value, "quantize") else value) for key, value in figures.items()},
        "reasons": reasons,
        "decision": decision.number if decision else "",
        "shows_units": motion.public_shows_units,
        "lines": _sheet_lines(motion),
    }


def render_sheet_pdf(data, *, code, with_units=None):
    """The A4 tally sheet (表决结果公告), in the estate's language: it is the official paper on the board."""
    from decisions.sheet import sheet_context

    with translation.override(settings.LANGUAGE_CODE):
        context = sheet_context(data, code=code, with_units=with_units)
        context["qr"] = qr_data_uri(context["verify_url"])
        return render_pdf("decisions/tally_pdf.html", context)
