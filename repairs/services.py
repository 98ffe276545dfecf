"""Every change to tickets, the talent pool and quotes.

Each function runs in one transaction, writes the ticket's timeline and an
activity record with the change, and raises ValidationError (with a message for
the person) when the change is not allowed; then nothing is written and no
uploaded file is kept. `at` lets the demo's history happen in the past; pages
never pass it.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.activity import log_action
from estate import uploads
from ledger import services as ledger
from repairs import costs, tasks, workflow
from repairs.models import Contractor, PendingPhoto, Photo, Quote, Ticket, TicketEvent, Volunteer, photo_folder

THUMBNAIL_SIDE = 640


@contextmanager
def _atomic_with_files():
    """A transaction whose stored files vanish if it fails, also when the commit itself fails."""
    with uploads.cleanup_on_error(), transaction.atomic():
        yield


def _locked(ticket):
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _check(refusal):
    """Raise the refusal (a message for the person), if there is one."""
    if refusal:
        raise ValidationError(refusal)


def _event(ticket, *, by, kind, at, comment="", **fields):
    return TicketEvent.objects.create(ticket=ticket, by=by, kind=kind, at=at, comment=(comment or "").strip(),
                                      **fields)


def _store_photos(ticket, event, photos, by, at):
    """Keep a report's or comment's photos: received ones (checked cheaply in the request) wait for the
    background worker, which cleans them (photo_finish); already cleaned ones (the demo's) are stored at once."""
    if photos and (ticket.photos.count() + ticket.pending_photos.count() + len(photos)
                   > Ticket.MAX_PHOTOS_IN_ALL):
        raise ValidationError(_("This ticket has as many photos as it can hold."))
    folder = photo_folder(ticket.pk)
    for photo in photos:
        if isinstance(photo, uploads.ReceivedImage):
            upload = uploads.store(photo, folder=f"{folder}/incoming")
            pending = PendingPhoto.objects.create(ticket=ticket, event=event, uploaded_by=by, uploaded_at=at,
                                                  upload=upload)
            # A row written in this transaction: the task exists exactly when the photo does.
            tasks.photo_process.enqueue(pending.pk)
        else:
            Photo.objects.create(
                ticket=ticket, event=event, uploaded_by=by, uploaded_at=at,
                file=uploads.store(photo, folder=folder),
                thumbnail=uploads.store(uploads.thumbnail(photo, side=THUMBNAIL_SIDE), folder=folder),
            )


def photo_finish(*, pending_id):
    """Clean a received photo (decode, apply rotation, drop metadata, scale) and make its thumbnail; the
    ticket then shows it instead of "processing". Run by the background worker; running it again for a
    photo already finished does nothing. Returns the Photo, or None."""
    with _atomic_with_files():
        pending = (PendingPhoto.objects.select_for_update().select_related("ticket", "uploaded_by")
                   .filter(pk=pending_id).first())
        if pending is None:
            return None
        upload = pending.upload
        try:
            with default_storage.open(upload, "rb") as stored:
                received = uploads.receive_image(File(stored, name=upload))
            prepared = uploads.clean_image(received)
        except (ValidationError, OSError) as refused:
            # Checked cheaply in the request, yet not decodable (a damaged file): the reporter's photo is
            # dropped, and the record says so.
            log_action("repairs.photo.unreadable", pending.ticket, by=None,
                       details={"uploaded_by": pending.uploaded_by_id, "reason": " ".join(
                           getattr(refused, "messages", [str(refused)]))})
            pending.delete()
            transaction.on_commit(lambda: default_storage.delete(upload))
            return None
        folder = photo_folder(pending.ticket_id)
        photo = Photo.objects.create(
            ticket_id=pending.ticket_id, event_id=pending.event_id, uploaded_by_id=pending.uploaded_by_id,
            uploaded_at=pending.uploaded_at,
            file=uploads.store(prepared, folder=folder),
            thumbnail=uploads.store(uploads.thumbnail(prepared, side=THUMBNAIL_SIDE), folder=folder),
        )
        pending.delete()
        transaction.on_commit(lambda: default_storage.delete(upload))
    return photo


# --- Reporting --------------------------------------------------------------

def report_refusal(user, household):
    """Why `user` may not report a problem in `household` (None: a common area), or None when they may."""
    if user.is_committee:
        return None
    if household is None:
        if user.is_resident or user.is_building_head:
            return None
        return _("Only residents, building heads and the committee report repairs.")
    if household.pk in user.household_ids or household.building_id in user.headed_building_ids:
        return None
    return _("You can report a problem inside your own flat, or in a common area.")


def ticket_report(*, by, category, place, description, urgency=Ticket.Urgency.NORMAL, household=None,
                  building=None, spot="", photos=(), at=None):
    """A new ticket from a resident, a building head or the committee, with up to six cleaned photos."""
    at = at or timezone.now()
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("Say what is wrong."))
    if place == Ticket.Place.FLAT and household is None:
        raise ValidationError(_("Choose the flat."))
    if place != Ticket.Place.FLAT:
        household = None
    _check(report_refusal(by, household))
    if len(photos) > Ticket.MAX_PHOTOS:
        raise ValidationError(_("At most %(count)s photos.") % {"count": Ticket.MAX_PHOTOS})
    with _atomic_with_files():
        ticket = Ticket.objects.create(
            category=category, place=place, household=household,
            building=household.building if household else building, spot=(spot or "").strip(),
            description=description, urgency=urgency, reported_by=by, reported_at=at,
        )
        event = _event(ticket, by=by, kind=TicketEvent.Kind.REPORTED, at=at, to_status=ticket.status)
        _store_photos(ticket, event, photos, by, at)
        log_action("repairs.ticket.reported", ticket, by=by,
                   details={"category": category, "place": place, "urgency": urgency, "photos": len(photos)})
    return ticket


# --- The workflow -----------------------------------------------------------

_STAMPS = {
    Ticket.Status.ACCEPTED: "accepted_at",
    Ticket.Status.IN_PROGRESS: "started_at",
    Ticket.Status.DONE: "done_at",
    Ticket.Status.CONFIRMED: "closed_at",
    Ticket.Status.CLOSED: "closed_at",
    Ticket.Status.REJECTED: "closed_at",
}


def _move(ticket, move, *, by, comment, at, kind=TicketEvent.Kind.MOVED, details=None):
    """Change the state of a locked ticket as the workflow allows; the caller holds the transaction."""
    _check(workflow.refusal(ticket, move, by, now=at))
    if workflow.MOVES[move].needs_comment and not (comment or "").strip():
        raise ValidationError(_("Please say why."))
    before = ticket.status
    ticket.status = workflow.next_status(before, move)
    if ticket.status in _STAMPS:
        setattr(ticket, _STAMPS[ticket.status], at)
    if move == "reopen":
        ticket.done_at = ticket.closed_at = None
    ticket.save()
    event = _event(ticket, by=by, kind=kind, at=at, move=move, from_status=before, to_status=ticket.status,
                   comment=comment, details=details or {})
    log_action(f"repairs.ticket.{move}", ticket, by=by,
               details={"from": before, "to": ticket.status, **(details or {})})
    return event


@transaction.atomic
def ticket_move(*, ticket, move, by, comment="", at=None):
    """Accept, reject, start, finish, reopen or close a ticket (see repairs.workflow)."""
    if move in workflow.OWN_FORM:
        raise ValueError(f"use ticket_{move}() for {move}")
    ticket = _locked(ticket)
    _move(ticket, move, by=by, comment=comment, at=at or timezone.now())
    return ticket


@transaction.atomic
def ticket_assign(*, ticket, by, volunteer=None, contractor=None, comment="", at=None):
    """Send a volunteer from the talent pool or a contractor; again to change who does it."""
    if (volunteer is None) == (contractor is None):
        raise ValidationError(_("Choose one volunteer or one contractor."))
    ticket = _locked(ticket)
    assignee = volunteer or contractor
    if not assignee.is_active:
        raise ValidationError(_("%(name)s is not taking jobs at the moment.") % {"name": assignee})
    if ticket.chosen_quote_id and ticket.chosen_quote.contractor_id != getattr(contractor, "pk", None):
        raise ValidationError(
            _("A quote from %(name)s was chosen: give the work to them, or choose another quote.")
            % {"name": ticket.chosen_quote.contractor}
        )
    at = at or timezone.now()
    ticket.volunteer, ticket.contractor = volunteer, contractor
    ticket.assigned_at = at
    details = {"volunteer" if volunteer else "contractor": str(assignee)}
    _move(ticket, "assign", by=by, comment=comment, at=at, kind=TicketEvent.Kind.ASSIGNED, details=details)
    return ticket


def _check_rating(rating):
    if rating is not None and rating not in range(1, 6):
        raise ValidationError(_("Give one to five stars."))


def _rate(ticket, *, by, rating, comment, at):
    ticket.rating, ticket.rating_comment, ticket.rated_at = rating, (comment or "").strip(), at
    ticket.save(update_fields=["rating", "rating_comment", "rated_at"])
    _event(ticket, by=by, kind=TicketEvent.Kind.RATED, at=at, comment=comment, details={"rating": rating})
    log_action("repairs.ticket.rated", ticket, by=by, details={"rating": rating})


@transaction.atomic
def ticket_confirm(*, ticket, by, rating=None, comment="", at=None):
    """The reporter confirms the fix, and may rate the work (one to five) at the same time."""
    _check_rating(rating)
    ticket = _locked(ticket)
    at = at or timezone.now()
    _move(ticket, "confirm", by=by, comment="" if rating else comment, at=at)
    if rating:
        _rate(ticket, by=by, rating=rating, comment=comment, at=at)
    return ticket


@transaction.atomic
def ticket_rate(*, ticket, by, rating, comment="", at=None):
    """Rate a confirmed ticket that was confirmed without a rating; once."""
    _check_rating(rating)
    if rating is None:
        raise ValidationError(_("Give one to five stars."))
    ticket = _locked(ticket)
    if workflow.Actor.REPORTER not in workflow.actors(ticket, by):
        raise ValidationError(_("Only whoever reported the problem may do that."))
    if ticket.status != Ticket.Status.CONFIRMED or ticket.rating is not None:
        raise ValidationError(_("Only a confirmed repair can be rated, once."))
    _rate(ticket, by=by, rating=rating, comment=comment, at=at or timezone.now())
    return ticket


def comment_refusal(ticket, user):
    """The people involved talk on a ticket: reporter and household, committee, assignee, building head."""
    if workflow.actors(ticket, user) or (ticket.building_id and ticket.building_id in user.headed_building_ids):
        return None
    return _("Only the people involved in this repair can write on it.")


def ticket_comment(*, ticket, by, comment, photos=(), at=None):
    """A comment on the timeline, with photos (of the work in progress, say)."""
    comment = (comment or "").strip()
    if not comment and not photos:
        raise ValidationError(_("Write something or add a photo."))
    if len(photos) > Ticket.MAX_PHOTOS:
        raise ValidationError(_("At most %(count)s photos.") % {"count": Ticket.MAX_PHOTOS})
    at = at or timezone.now()
    with _atomic_with_files():
        ticket = _locked(ticket)
        _check(comment_refusal(ticket, by))
        event = _event(ticket, by=by, kind=TicketEvent.Kind.COMMENTED, at=at, comment=comment)
        _store_photos(ticket, event, photos, by, at)
        log_action("repairs.ticket.commented", ticket, by=by, details={"photos": len(photos)})
    return event


# --- The talent pool and contractors -----------------------------------------

@transaction.atomic
def volunteer_save(*, by, volunteer=None, user=None, **fields):
    """Add a user with the volunteer role to the talent pool, or change a profile (a form may have
    touched the instance passed in: the change is measured against the stored row)."""
    if volunteer is None:
        if user is None or not user.is_volunteer:
            raise ValidationError(_("Only a user with the volunteer role joins the talent pool."))
        if Volunteer.objects.filter(user=user).exists():
            raise ValidationError(_("%(name)s is already in the talent pool.") % {"name": user})
        volunteer = Volunteer(user=user)
    else:
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    return _save_logged(volunteer, fields, by=by, noun="volunteer")


@transaction.atomic
def contractor_save(*, by, contractor=None, **fields):
    contractor = Contractor.objects.select_for_update().get(pk=contractor.pk) if contractor else Contractor()
    return _save_logged(contractor, fields, by=by, noun="contractor")


def _save_logged(instance, fields, *, by, noun):
    changed = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changed[name] = [str(old), str(value)]
            setattr(instance, name, value)
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    if created or changed:
        log_action(f"repairs.{noun}.{'added' if created else 'changed'}", instance, by=by, details=changed)
    return instance


# --- Quotes -----------------------------------------------------------------

def quote_refusal(ticket, user):
    if not user.is_committee:
        return _("Only the committee may do that.")
    if ticket.status not in workflow.QUOTING:
        return _("Quotes are gathered and chosen after a ticket is accepted and before the work starts.")
    return None


def quote_add(*, ticket, by, contractor, amount, notes="", attachment=None, at=None):
    """A contractor's price, with the quote itself (a photo or PDF, cleaned by estate.uploads)."""
    # The amount becomes a ledger expense when the quote is chosen: the books' own check, now.
    amount = ledger.check_amount(amount)
    at = at or timezone.now()
    with _atomic_with_files():
        ticket = _locked(ticket)
        _check(quote_refusal(ticket, by))
        quote = Quote.objects.create(
            ticket=ticket, contractor=contractor, amount=amount, notes=(notes or "").strip(), added_by=by,
            added_at=at,
            attachment=uploads.store(attachment, folder=f"repairs/quotes/{ticket.pk}") if attachment else "",
        )
        _event(ticket, by=by, kind=TicketEvent.Kind.QUOTE_ADDED, at=at,
               details={"quote": quote.pk, "contractor": str(contractor), "amount": str(amount)})
        log_action("repairs.quote.added", ticket, by=by,
                   details={"quote": quote.pk, "contractor": str(contractor), "amount": str(amount)})
    return quote


@transaction.atomic
def quote_choose(*, ticket, quote, reason, by, at=None):
    """The committee chooses a quote, saying why; its spending goes to the ledger for approval.

    Choosing again replaces the earlier choice, as long as its money has not been paid.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why this quote is chosen."))
    ticket = _locked(ticket)
    _check(quote_refusal(ticket, by))
    quote = Quote.objects.select_related("contractor", "expense").filter(ticket=ticket, pk=quote.pk).first()
    if quote is None:
        raise ValidationError(_("That quote belongs to another ticket."))
    costs.check_choice_may_change(ticket)
    if ticket.contractor_id and ticket.contractor_id != quote.contractor_id:
        raise ValidationError(
            _("The work is assigned to %(name)s: choose their quote, or assign the ticket again first.")
            % {"name": ticket.contractor}
        )
    at = at or timezone.now()
    previous = ticket.chosen_quote
    ticket.chosen_quote, ticket.choice_reason, ticket.chosen_by, ticket.chosen_at = quote, reason, by, at
    ticket.save(update_fields=["chosen_quote", "choice_reason", "chosen_by", "chosen_at"])
    costs.on_quote_chosen(ticket=ticket, quote=quote, previous=previous, by=by, at=at)
    details = {"quote": quote.pk, "contractor": str(quote.contractor), "amount": str(quote.amount)}
    _event(ticket, by=by, kind=TicketEvent.Kind.QUOTE_CHOSEN, at=at, comment=reason, details=details)
    log_action("repairs.quote.chosen", ticket, by=by, details={**details, "reason": reason})
    return ticket
