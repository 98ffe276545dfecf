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
from accounts.models import Role
from accounts.services import committee_role_create
from committee.models import Appointment, Mandate
from estate.notices import notice_post, notice_save

# What a mandate's authority is read through (the committee page shows it).
MANDATE_AUTHORITY = ("appointment__notice", "appointment__proposed_by", "appointment__decided_by")

# The Regulations on Property Management let a committee serve at most five years between elections.
LONGEST_TERM = timedelta(days=5 * 366)


def first_election_held():
    """Once an election has put a committee in place, appointments by the committee end."""
    return Mandate.objects.filter(appointment__isnull=True).exists()


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
