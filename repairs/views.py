"""Repair tickets: report, follow, dispatch, quotes, photos. The talent pool is in views_talent.py.

Permissions: `_get_ticket_for_user` scopes tickets to the person first (someone
outside a ticket's reach gets 404); who may act on a ticket is decided by
repairs.workflow (a person who may see but not act gets 403); anyone without a
role in the estate gets 403 everywhere.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import COMMITTEE_KINDS, Role, User
from accounts.permissions import committee_required, money_mfa_required, role_required
from estate import panels, uploads
from estate.models import Version
from repairs import costs, reports, services, workflow
from repairs.filters import TicketFilter
from repairs.forms import (
    AssignForm,
    ChooseQuoteForm,
    CommentForm,
    ConfirmForm,
    MoveForm,
    PeriodForm,
    QuoteForm,
    RateForm,
    ReportForm,
)
from repairs.models import Contractor, Photo, Ticket, TicketEvent, Volunteer

estate_role_required = role_required(*Role.Kind.values)
PER_PAGE = 20
# What the list shows: tickets and their photos, places, volunteers' names (estate/panels.py).
LIST_VERSIONS = (Version.REPAIRS, Version.REGISTER, Version.PEOPLE)


def _get_ticket_for_user(request, pk):
    """The ticket if `request.user` may see it; 404 outside their reach, 403 without any role."""
    user = request.user
    if not user.active_roles:
        raise PermissionDenied
    tickets = Ticket.objects.visible_to(user).select_related(
        "household", "building", "volunteer__user", "contractor", "reported_by", "chosen_quote__contractor",
    )
    return get_object_or_404(tickets, pk=pk)


def _report_photos():
    return Prefetch("photos", queryset=Photo.objects.filter(event__kind=TicketEvent.Kind.REPORTED),
                    to_attr="report_photos")


def _attempt(request, change, success=None):
    """Run a service; a refusal becomes a message for the person. True when the change was made."""
    try:
        change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    if success:
        messages.success(request, success)
    return True


def _form_errors(request, form):
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


@estate_role_required
def ticket_list(request):
    """Tickets the person may see, open ones first by default.

    Queries, whatever the number of rows: session, user, roles, count, one page of
    tickets with their places and assignees, the photos of those tickets.
    """
    user = request.user
    # The filters and the page of tickets are kept per viewer, address and state of the rows (estate/panels.py),
    # until a ticket shown falls overdue: the tokens first, then the rows.
    panels.tokens(request)

    def make():
        tickets = (Ticket.objects.visible_to(user)
                   .select_related("household", "building", "volunteer__user", "contractor")
                   .prefetch_related(_report_photos())
                   # Open emergencies on top, then the newest first.
                   .order_by(Case(When(urgency=Ticket.Urgency.EMERGENCY, status__in=Ticket.OPEN, then=0), default=1),
                             "-reported_at", "-pk"))
        filterset = TicketFilter(request.GET, queryset=tickets, user=user)
        page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        html = render_to_string("repairs/_ticket_list.html", {
            "filter": filterset, "page": page, "query": query.urlencode(), "now": timezone.now()})
        return html, [moment for ticket in page.object_list for moment in ticket.falls_overdue_at()]

    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return render(request, "repairs/ticket_list.html", {
        "content": panels.kept(request, f"repairs.list.{address}", LIST_VERSIONS, make),
        "may_report": services.report_refusal(user, None) is None,
    })


@estate_role_required
def ticket_new(request):
    user = request.user
    if services.report_refusal(user, None) is not None:
        raise PermissionDenied
    form = ReportForm(request.POST or None, request.FILES or None, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_report(
                by=user, category=data["category"], place=data["place"], household=data["household"],
                building=data["building"], spot=data["spot"], description=data["description"],
                urgency=data["urgency"], photos=data["photos"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: repair %(number)s is reported. You can follow it here.")
                             % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "repairs/ticket_form.html", {"form": form})


def _public_names(ticket):
    """Whose names a viewer who is not involved may read: the committee's and the assignee's."""
    ids = set(User.objects.filter(roles__kind__in=COMMITTEE_KINDS, roles__ended_at__isnull=True)
              .values_list("pk", flat=True))
    if ticket.volunteer_id:
        ids.add(ticket.volunteer.user_id)
    return ids


@login_required
def ticket_detail(request, pk):
    """The ticket with its photos and timeline, and what the person may do now.

    Queries, whatever the length of the timeline: session, user, roles, ticket,
    events with their authors, their photos, their photos still processing, quotes, (the committee's names for
    viewers not involved), (volunteers and contractors for the committee's
    assign form), (the chosen quote's expense and its approvals).
    """
    ticket = _get_ticket_for_user(request, pk)
    user = request.user
    now = timezone.now()
    events = list(ticket.events.select_related("by").prefetch_related("photos", "pending_photos"))
    actors = workflow.actors(ticket, user)
    involved = bool(actors) or ticket.building_id in user.headed_building_ids
    context = {
        "ticket": ticket,
        "events": events,
        "report_photos": events[0].photos.all() if events else [],
        "report_pending": events[0].pending_photos.all() if events else [],
        "quotes": list(ticket.quotes.select_related("contractor")),
        "moves": workflow.moves_for(ticket, user, now=now),
        "move_form": MoveForm(),
        "involved": involved,
        "public_names": None if involved else _public_names(ticket),
        "is_committee": user.is_committee,
        "overdue": ticket.is_overdue(now),
        "approval": costs.approval_state(ticket),
        "may_quote": services.quote_refusal(ticket, user) is None,
        "contacts": _flat_contacts(ticket, user),
    }
    if services.comment_refusal(ticket, user) is None:
        context["comment_form"] = CommentForm()
    if workflow.may(ticket, "assign", user, now=now):
        context["assign_form"] = _assign_form(ticket)
    if workflow.may(ticket, "confirm", user, now=now):
        context["confirm_form"] = ConfirmForm()
    if (ticket.status == Ticket.Status.CONFIRMED and ticket.rating is None
            and workflow.Actor.REPORTER in actors):
        context["rate_form"] = RateForm()
    if ticket.status == Ticket.Status.DONE and ticket.may_be_closed_at() > now:
        context["may_be_closed_at"] = ticket.may_be_closed_at()
    return render(request, "repairs/ticket_detail.html", context)


def _flat_contacts(ticket, user):
    """Whom to call about a repair inside a flat, as (name, phone, whole).

    The volunteer assigned to the work must arrange a visit, so they see the number whole, as the committee
    does; anyone else who follows the ticket (a building head) sees it masked (docs/ARCHITECTURE.md,
    "Personal information"). The household itself is not shown its own numbers. The one who reported it comes first:
    they asked for the repair.
    """
    if ticket.place != Ticket.Place.FLAT or not ticket.household_id or ticket.household_id in user.household_ids:
        return []
    residents = list(ticket.household.residents.filter(is_active=True).exclude(phone="").order_by("pk"))
    reporter = [resident for resident in residents if resident.user_id == ticket.reported_by_id]
    whole = user.is_committee or bool(ticket.volunteer_id and ticket.volunteer.user_id == user.pk)
    return [(resident.name, resident.phone if whole else resident.phone_for(user), whole)
            for resident in (reporter or residents)]


def _assign_form(ticket, data=None):
    return AssignForm(
        data, ticket=ticket,
        volunteers=Volunteer.objects.filter(is_active=True).select_related("user"),
        contractors=Contractor.objects.filter(is_active=True),
    )


def _may_ever(ticket, move, user):
    """Whether `user` plays a part that could make `move` in some state (else the answer is 403)."""
    allowed = set().union(*(steps[move][1] for steps in workflow.WORKFLOW.values() if move in steps))
    return bool(allowed & workflow.actors(ticket, user))


@require_POST
@login_required
def ticket_move(request, pk, move):
    ticket = _get_ticket_for_user(request, pk)
    if move not in workflow.MOVES or move in workflow.OWN_FORM:
        raise Http404
    if not _may_ever(ticket, move, request.user):
        raise PermissionDenied
    form = MoveForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    done = workflow.MOVES[move].done
    _attempt(request, lambda: services.ticket_move(ticket=ticket, move=move, by=request.user, comment=comment),
             success=done % {"number": ticket.number} if done else None)
    return redirect(ticket)


@require_POST
@login_required
def ticket_assign(request, pk):
    ticket = _get_ticket_for_user(request, pk)
    if not request.user.is_committee:
        raise PermissionDenied
    form = _assign_form(ticket, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who does the work."))
        return redirect(ticket)
    data = form.cleaned_data
    _attempt(request, lambda: services.ticket_assign(ticket=ticket, by=request.user, comment=data["comment"],
                                                     **data["assignee"]),
             _("Repair %(number)s is assigned.") % {"number": ticket.number})
    return redirect(ticket)


@require_POST
@login_required
def ticket_confirm(request, pk):
    ticket = _get_ticket_for_user(request, pk)
    if not _may_ever(ticket, "confirm", request.user):
        raise PermissionDenied
    form = ConfirmForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _attempt(request, lambda: services.ticket_confirm(ticket=ticket, by=request.user, rating=data["rating"],
                                                          comment=data["comment"]),
                 _("Thank you for confirming."))
    return redirect(ticket)


@require_POST
@login_required
def ticket_rate(request, pk):
    ticket = _get_ticket_for_user(request, pk)
    if workflow.Actor.REPORTER not in workflow.actors(ticket, request.user):
        raise PermissionDenied
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give one to five stars."))
        return redirect(ticket)
    data = form.cleaned_data
    _attempt(request, lambda: services.ticket_rate(ticket=ticket, by=request.user, rating=data["rating"],
                                                   comment=data["comment"]),
             _("Thank you for your rating."))
    return redirect(ticket)


@require_POST
@login_required
def ticket_comment(request, pk):
    ticket = _get_ticket_for_user(request, pk)
    if services.comment_refusal(ticket, request.user):
        raise PermissionDenied
    form = CommentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(ticket)
    data = form.cleaned_data
    _attempt(request, lambda: services.ticket_comment(ticket=ticket, by=request.user, comment=data["comment"],
                                                      photos=data["photos"]))
    return redirect(f"{ticket.get_absolute_url()}#timeline")


@login_required
def ticket_photo(request, pk, photo_pk, size="full"):
    ticket = _get_ticket_for_user(request, pk)
    photo = get_object_or_404(Photo.objects.filter(ticket=ticket), pk=photo_pk)
    name = photo.thumbnail if size == "small" else photo.file
    return uploads.serve(name, download_name=f"repair-{ticket.pk}-{photo.pk}.{name.rsplit('.', 1)[-1]}")


# --- Quotes -----------------------------------------------------------------

@login_required
def quote_list(request, pk):
    """The quotes of a ticket side by side, cheapest first; the committee adds and chooses here.

    Queries, whatever the number of quotes: session, user, roles, ticket, quotes with
    their contractors, (active contractors for the committee's form), (the choice's
    expense and its approvals).
    """
    ticket = _get_ticket_for_user(request, pk)
    quotes = list(ticket.quotes.select_related("contractor", "added_by"))
    lowest = min((quote.amount for quote in quotes), default=None)
    context = {
        "ticket": ticket,
        "rows": [(quote, quote.amount - lowest) for quote in quotes],
        "approval": costs.approval_state(ticket),
        "is_committee": request.user.is_committee,
    }
    if services.quote_refusal(ticket, request.user) is None:
        context["quote_form"] = QuoteForm()
        if quotes:
            context["choose_form"] = ChooseQuoteForm(quotes=ticket.quotes.select_related("contractor"),
                                                     initial={"quote": ticket.chosen_quote_id})
    return render(request, "repairs/quote_list.html", context)


@require_POST
@committee_required
def quote_add(request, pk):
    ticket = _get_ticket_for_user(request, pk)
    form = QuoteForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        _attempt(request, lambda: services.quote_add(ticket=ticket, by=request.user, contractor=data["contractor"],
                                                     amount=data["amount"], notes=data["notes"],
                                                     attachment=data["attachment"]),
                 _("Quote added."))
    else:
        _form_errors(request, form)
    return redirect("repairs:quotes", pk=ticket.pk)


@require_POST
@committee_required
@money_mfa_required  # choosing enters an expense in the ledger
def quote_choose(request, pk):
    ticket = _get_ticket_for_user(request, pk)
    form = ChooseQuoteForm(request.POST, quotes=ticket.quotes.all())
    if form.is_valid():
        data = form.cleaned_data
        _attempt(request, lambda: services.quote_choose(ticket=ticket, quote=data["quote"], reason=data["reason"],
                                                        by=request.user, decision=data["decision"]),
                 _("Quote chosen."))
    else:
        messages.error(request, _("Choose a quote and say why."))
    return redirect("repairs:quotes", pk=ticket.pk)


@login_required
def quote_attachment(request, pk, quote_pk):
    ticket = _get_ticket_for_user(request, pk)
    quote = get_object_or_404(ticket.quotes.exclude(attachment=""), pk=quote_pk)
    extension = quote.attachment.rsplit(".", 1)[-1]
    return uploads.serve(quote.attachment, download_name=f"quote-{ticket.pk}-{quote.pk}.{extension}")


# --- Figures ----------------------------------------------------------------

@estate_role_required
def figures(request):
    """How fast repairs get done and what they cost, for a month or a year: every resident may look."""
    form = PeriodForm(request.GET)
    year, month = form.chosen(timezone.localdate())
    period = reports.Period(year, month)
    return render(request, "repairs/figures.html", {
        "period": period, "figures": reports.figures(period), "form": form,
    })
