"""Every change in the residents' voice: atomic, written to the activity log, nothing left behind on failure."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.activity import log_action
from estate import uploads
from estate.models import Household
from repairs import services as repairs_services
from repairs.models import Ticket
from voice.models import Comment, CommentHiding, Proposal, ProposalPhoto, Support


def _household_of(user):
    """The author's household, for naming them by unit code; a committee member without one is named."""
    ids = sorted(user.household_ids)
    return Household.objects.get(pk=ids[0]) if ids else None


def _text(value, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


def proposal_create(*, by, title, body, photos=()):
    """A resident's proposal, with up to six photos already checked by estate.uploads.prepare_image."""
    if not by.is_resident:
        raise PermissionDenied
    title = _text(title, _("Give the proposal a title."))
    body = _text(body, _("Say what you propose."))
    if len(photos) > Proposal.MAX_PHOTOS:
        raise ValidationError(_("At most %(count)s photos.") % {"count": Proposal.MAX_PHOTOS})
    with uploads.cleanup_on_error(), transaction.atomic():
        proposal = Proposal.objects.create(title=title, body=body, author=by, household=_household_of(by))
        for prepared in photos:
            ProposalPhoto.objects.create(proposal=proposal,
                                         file=uploads.store(prepared, folder=f"proposals/{proposal.pk}"))
        log_action("voice.proposal.created", proposal, by=by, details={"photos": len(photos)})
    return proposal


@transaction.atomic
def proposal_support(*, proposal, by):
    """Support (附议) a proposal awaiting its answer; once per person, not one's own."""
    if not by.is_resident:
        raise PermissionDenied
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.author_id == by.pk:
        raise ValidationError(_("This is your own proposal."))
    if not proposal.is_open:
        raise ValidationError(_("The committee has answered this proposal."))
    try:
        with transaction.atomic():
            support = Support.objects.create(proposal=proposal, user=by)
    except IntegrityError:
        raise ValidationError(_("You support this proposal already.")) from None
    log_action("voice.proposal.supported", proposal, by=by)
    return support


@transaction.atomic
def proposal_decline(*, proposal, answer, by):
    """The committee declines, and says why for everyone to read."""
    return _answer(proposal, answer=answer, by=by, status=Proposal.Status.DECLINED)


def proposal_accept_as_ticket(*, proposal, answer, category, place, by, building=None, spot=""):
    """The committee accepts a proposal as common-area repair work: a ticket is reported and linked."""
    if not by.is_committee:
        raise PermissionDenied
    if place == Ticket.Place.FLAT:
        raise ValidationError(_("A proposal becomes work in a common area, not inside a flat."))
    with uploads.cleanup_on_error(), transaction.atomic():
        locked = _locked_open(proposal)
        ticket = repairs_services.ticket_report(
            by=by, category=category, place=place, building=building, spot=spot,
            description=f"{locked.title}\n\n{locked.body}",
        )
        return _answer(locked, answer=answer, by=by, status=Proposal.Status.ACCEPTED, ticket=ticket)


def _locked_open(proposal):
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_open:
        raise ValidationError(_("The committee has answered this proposal."))
    return proposal


def _answer(proposal, *, answer, by, status, ticket=None):
    if not by.is_committee:
        raise PermissionDenied
    answer = _text(answer, _("Write the committee's answer: everyone reads it."))
    proposal = _locked_open(proposal)
    proposal.status, proposal.answer, proposal.ticket = status, answer, ticket
    proposal.answered_by, proposal.answered_at = by, timezone.now()
    proposal.save(update_fields=["status", "answer", "ticket", "answered_by", "answered_at"])
    log_action(f"voice.proposal.{status}", proposal, by=by,
               details={"ticket": ticket.pk} if ticket else None)
    return proposal


def comment_refusal(user, *, ticket=None):
    """Why `user` may not comment here, or None. On tickets: common areas only (a flat's ticket is private)."""
    if not user.is_resident and not user.is_committee:
        return _("Residents and the committee comment.")
    if ticket is not None and not ticket.is_common_area:
        return _("Residents comment on repairs in common areas only.")
    return None


@transaction.atomic
def comment_add(*, by, body, proposal=None, ticket=None, quote=None):
    """A comment on a proposal, or on a common-area ticket (optionally about one of its quotes)."""
    if comment_refusal(by, ticket=ticket):
        raise PermissionDenied
    body = _text(body, _("Write your comment."))
    if len(body) > Comment.MAX_LENGTH:
        raise ValidationError(_("At most %(count)s characters, please.") % {"count": Comment.MAX_LENGTH})
    if quote is not None and quote.ticket_id != getattr(ticket, "pk", None):
        raise ValidationError(_("That quote belongs to another ticket."))
    comment = Comment.objects.create(proposal=proposal, ticket=ticket, quote=quote, author=by,
                                     household=_household_of(by), body=body)
    target = proposal or ticket
    log_action("voice.comment.added", target, by=by, details={"comment": comment.pk,
                                                              **({"quote": quote.pk} if quote else {})})
    return comment


@transaction.atomic
def comment_hide(*, comment, reason, by):
    """Hide a comment from residents, with the reason shown in its place; the comment itself stays."""
    if not by.is_committee:
        raise PermissionDenied
    reason = _text(reason, _("Say why the comment is hidden: everyone reads the reason."))
    try:
        with transaction.atomic():
            hiding = CommentHiding.objects.create(comment=comment, reason=reason, by=by)
    except IntegrityError:
        raise ValidationError(_("This comment is hidden already.")) from None
    log_action("voice.comment.hidden", comment.proposal or comment.ticket, by=by,
               details={"comment": comment.pk, "reason": reason})
    return hiding
