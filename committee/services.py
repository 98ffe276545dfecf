"""Granting committee roles: from an election decision, or before the first election by two members.

Every function is atomic and writes the activity log (accounts.activity).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.activity import log_action
from accounts.models import COMMITTEE_KINDS, Role
from accounts.services import committee_role_create, role_end
from committee.models import Appointment, Candidate, Mandate
from decisions.models import Decision, Motion
from estate.notices import notice_post, notice_save

# What a mandate's authority is read through (the committee page shows it).
MANDATE_AUTHORITY = ("decision", "appointment__notice", "appointment__proposed_by", "appointment__decided_by")

# The Regulations on Property Management let a committee serve at most five years between elections.
LONGEST_TERM = timedelta(days=5 * 366)


def first_election_held():
    """Once an election has put a committee in place, appointments by the committee end."""
    return Mandate.objects.filter(decision__isnull=False).exists()


def _refuse_after_first_election():
    if first_election_held():
        raise ValidationError(
            _("The owners have elected the committee: further members come only from an election."),
            code="elected",
        )


def _check_term(term_ends, today):
    if term_ends <= today:
        raise ValidationError(_("The term must end after today."), code="term")
    if term_ends - today > LONGEST_TERM:
        raise ValidationError(_("A term lasts at most five years."), code="term")


@transaction.atomic
def appointment_propose(*, user, kind, term_ends, reason, by):
    """The chair proposes a committee role for `user`; nothing is granted until a second member confirms."""
    if not by.is_chair:
        raise PermissionDenied
    _refuse_after_first_election()
    _check_term(term_ends, timezone.localdate())
    if not user.is_active:
        raise ValidationError(_("This login is switched off."), code="inactive")
    if Role.objects.filter(user=user, kind=kind, ended_at__isnull=True).exists():
        raise ValidationError(_("%(user)s already holds this role.") % {"user": user}, code="held")
    if Appointment.objects.filter(user=user, kind=kind, status=Appointment.Status.PROPOSED).exists():
        raise ValidationError(_("This appointment is already awaiting confirmation."), code="open")
    appointment = Appointment.objects.create(
        user=user, kind=kind, term_ends=term_ends, reason=reason, proposed_by=by
    )
    log_action("appointment.proposed", appointment, by=by,
               details={"role": kind, "term_ends": term_ends.isoformat(), "reason": reason})
    return appointment


def _appointment_notice_body(appointment, confirmed_by, today):
    return _(
        "%(name)s serves as %(role)s of the owners' committee from %(start)s until %(end)s, until the owners "
        "elect the committee.\n\n"
        "Proposed by the committee chair %(chair)s and confirmed by committee member %(member)s, as the "
        "estate's rules require before the first election. Reason: %(reason)s"
    ) % {
        "name": appointment.user, "role": appointment.get_kind_display(), "start": today.isoformat(),
        "end": appointment.term_ends.isoformat(), "chair": appointment.proposed_by, "member": confirmed_by,
        "reason": appointment.reason,
    }


@transaction.atomic
def appointment_confirm(*, appointment, by):
    """A second committee member confirms: the role is granted, its mandate recorded, a notice posted."""
    if not by.is_committee:
        raise PermissionDenied
    appointment = Appointment.objects.select_for_update().select_related("user", "proposed_by").get(
        pk=appointment.pk)
    if not appointment.is_open:
        raise ValidationError(_("This appointment is no longer awaiting confirmation."), code="closed")
    if by.pk in (appointment.proposed_by_id, appointment.user_id):
        raise ValidationError(
            _("A second committee member confirms: not the chair who proposed it, nor the person appointed."),
            code="same_person",
        )
    _refuse_after_first_election()
    today = timezone.localdate()
    _check_term(appointment.term_ends, today)
    role = committee_role_create(user=appointment.user, kind=appointment.kind, by=by,
                                 details={"appointment": appointment.pk})
    # The notice hangs on the board in the estate's language, whoever's phone confirms it.
    with translation.override(settings.LANGUAGE_CODE):
        notice = notice_save(
            title=_("Committee appointment: %(name)s, %(role)s") % {
                "name": appointment.user, "role": appointment.get_kind_display()},
            body=_appointment_notice_body(appointment, by, today),
            notice_date=today, signature=_("Owners' committee"), by=by,
        )
    notice_post(notice=notice, by=by)
    appointment.status = Appointment.Status.CONFIRMED
    appointment.decided_by, appointment.decided_at = by, timezone.now()
    appointment.notice = notice
    appointment.save(update_fields=["status", "decided_by", "decided_at", "notice"])
    mandate = Mandate.objects.create(role=role, starts_on=today, ends_on=appointment.term_ends,
                                     appointment=appointment, granted_by=by)
    log_action("appointment.confirmed", appointment, by=by,
               details={"role": appointment.kind, "notice": notice.pk, "mandate": mandate.pk})
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment, by):
    """The chair, or the member asked to confirm, drops a proposal that was not confirmed."""
    if not by.is_committee:
        raise PermissionDenied
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not appointment.is_open:
        raise ValidationError(_("This appointment is no longer awaiting confirmation."), code="closed")
    appointment.status = Appointment.Status.CANCELLED
    appointment.decided_by, appointment.decided_at = by, timezone.now()
    appointment.save(update_fields=["status", "decided_by", "decided_at"])
    log_action("appointment.cancelled", appointment, by=by, details={"role": appointment.kind})
    return appointment


# --- Elections ------------------------------------------------------------------------------------


def _election_draft(motion):
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.kind != Motion.Kind.ELECTION:
        raise ValidationError(_("Candidates stand in a motion electing the committee."), code="kind")
    if not motion.is_draft:
        raise ValidationError(_("Voting has opened: the list of candidates is fixed."), code="opened")
    return motion


@transaction.atomic
def candidate_add(*, motion, user, kind, term_ends, by):
    """Name a candidate for a committee role in a draft election motion."""
    if not by.is_committee:
        raise PermissionDenied
    motion = _election_draft(motion)
    _check_term(term_ends, timezone.localdate())
    if Candidate.objects.filter(motion=motion, user=user, kind=kind).exists():
        raise ValidationError(_("%(user)s already stands for this role.") % {"user": user}, code="twice")
    candidate = Candidate.objects.create(motion=motion, user=user, kind=kind, term_ends=term_ends, added_by=by)
    log_action("election.candidate_added", motion, by=by,
               details={"user": user.pk, "role": kind, "term_ends": term_ends.isoformat()})
    return candidate


@transaction.atomic
def candidate_remove(*, candidate, by):
    """Take a candidate off a motion that is still a draft."""
    if not by.is_committee:
        raise PermissionDenied
    _election_draft(candidate.motion)
    log_action("election.candidate_removed", candidate.motion, by=by,
               details={"user": candidate.user_id, "role": candidate.kind})
    candidate.delete()


@transaction.atomic
def election_install(*, decision, by):
    """Put the committee the owners elected in place, citing their decision: one call, all or nothing.

    Every elected candidate holds their role (a role already held is kept), each with a
    mandate citing the decision and its term; committee roles of anyone not elected end.
    """
    if not by.is_committee:
        raise PermissionDenied
    decision = Decision.objects.select_for_update().select_related("motion").get(pk=decision.pk)
    if decision.kind != Motion.Kind.ELECTION:
        raise ValidationError(_("Only a decision electing the committee grants committee roles."), code="kind")
    if Mandate.objects.filter(decision=decision).exists():
        raise ValidationError(_("The committee this decision elected is in place already."), code="done")
    candidates = list(Candidate.objects.filter(motion=decision.motion).select_related("user"))
    if not any(candidate.kind == Role.Kind.CHAIR for candidate in candidates):
        raise ValidationError(_("The decision elects no chair: the committee cannot be put in place."),
                              code="no_chair")
    if Mandate.objects.filter(decision__decided_at__gt=decision.decided_at).exists():
        raise ValidationError(_("A later election has put another committee in place."), code="superseded")
    today = timezone.localdate()
    details = {"decision": decision.number}
    active = {(role.user_id, role.kind): role for role in
              Role.objects.select_for_update().filter(kind__in=COMMITTEE_KINDS, ended_at__isnull=True)}
    elected = set()
    for candidate in candidates:
        if candidate.term_ends <= today:
            raise ValidationError(_("The term of %(user)s has ended already.") % {"user": candidate.user},
                                  code="term")
        key = (candidate.user_id, candidate.kind)
        elected.add(key)
        role = active.get(key) or committee_role_create(user=candidate.user, kind=candidate.kind, by=by,
                                                       details=details)
        Mandate.objects.create(role=role, starts_on=today, ends_on=candidate.term_ends, decision=decision,
                               granted_by=by)
    # New roles first, then the old ones end: the estate is never without a chair.
    for key, role in active.items():
        if key not in elected:
            role_end(role=role, by=by, details=details)
    log_action("election.installed", decision.motion, by=by,
               details={**details, "elected": len(candidates), "ended": len(set(active) - elected)})
    return decision
