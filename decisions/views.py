"""Owners' decisions on the web: everyone with a role reads motions and results; owners vote on a phone;
the committee drafts, opens, enters and confirms paper ballots, and closes.

Before the close nobody sees a choice but the voter on their own receipt: the
committee sees who has taken part, never how. After the close every resident
with a login sees each unit's choice (the law lets owners inspect them).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.permissions import committee_required
from decisions import services
from decisions.forms import (
    AssemblyForm,
    AttachmentForm,
    ChangeVoteForm,
    ConfirmBallotForm,
    CorrectBallotForm,
    MotionForm,
    OwnerForm,
    PaperBallotForm,
    ProxyForm,
    RevokeForm,
    VoteForm,
)
from decisions.models import Assembly, Ballot, Motion, MotionAttachment, Owner, Proxy, Tally
from decisions.sheet import sheet_context
from estate import panels, uploads
from estate.models import Version
from estate.pdf import posted_pdf_read

BALLOTS_PER_PAGE = 50


def _require_role(user):
    if not user.active_roles:
        raise PermissionDenied


def _motions_for(user):
    """The committee sees drafts too; everyone else what has been put to the vote."""
    motions = Motion.objects.select_related("assembly")
    return motions if user.is_committee else motions.published()


def _get_motion(request, pk):
    _require_role(request.user)
    return get_object_or_404(_motions_for(request.user), pk=pk)


def _refused(request, error):
    for message in error.messages:
        messages.error(request, message)


# Everyone with a role ------------------------------------------------------------------------------------------

@login_required
def index(request):
    """The motions by state, with whether this person has voted: kept as HTML per viewer and state of the decisions
    (every table of the owners' votes: committee/0003) and the people (estate/panels.py)."""
    _require_role(request.user)

    def make():
        motions = list(_motions_for(request.user).select_related("decision", "tally")
                       .order_by("-voting_ends", "-pk"))
        voted = set(Ballot.objects.filter(cast_by=request.user, channel=Ballot.Channel.ONLINE)
                    .values_list("motion_id", flat=True))
        groups = [
            (_("Voting now"), [m for m in motions if m.is_open]),
            (_("Drafts"), [m for m in motions if m.is_draft]),
            (pgettext("vote", "Closed"), [m for m in motions if m.is_closed]),
        ]
        return render_to_string("decisions/_index.html", {"groups": groups, "voted": voted}), ()

    return render(request, "decisions/index.html", {
        "content": panels.kept(request, "decisions.index", (Version.DECISIONS, Version.PEOPLE), make)})


@login_required
def motion_detail(request, pk):
    motion = _get_motion(request, pk)
    context = {"motion": motion, "attachments": list(motion.attachments.all())}
    if motion.is_open:
        units = services.units_for_voter(request.user, motion)
        cast = {b.household_id: b for b in Ballot.objects.filter(motion=motion, household__in=[h for h, _ in units])
                .current()}
        context["my_units"] = [(household, standing, cast.get(household.pk)) for household, standing in units]
        context["voting_now"] = motion.voting_now()
        if request.user.is_committee:
            context["participation"] = services.participation(motion)
    if motion.is_closed:
        context.update(sheet_context(motion.tally.data, code=motion.tally.code, with_units=True))
        context["tally"] = motion.tally
    return render(request, "decisions/motion.html", context)


@login_required
def attachment(request, pk):
    item = get_object_or_404(MotionAttachment.objects.select_related("motion"), pk=pk)
    _get_motion(request, item.motion_id)
    return uploads.serve(item.name, download_name=item.original_name or None)


@login_required
def vote(request, pk):
    """The phone's voting page: the unit, three large buttons, then a confirmation step, then the receipt."""
    motion = _get_motion(request, pk)
    units = services.units_for_voter(request.user, motion)
    if not units:
        raise PermissionDenied
    household = units[0][0]
    if len(units) > 1:
        wanted = request.GET.get("unit") or request.POST.get("unit")
        household = next((h for h, _ in units if str(h.pk) == wanted), None)
        if household is None:
            return render(request, "decisions/vote_choose_unit.html", {"motion": motion, "units": units})
    existing = Ballot.objects.filter(motion=motion, household=household).current().first()
    if existing is not None:
        messages.info(request, _("Unit %(unit)s has already voted on this motion.") % {"unit": household.code})
        return redirect("decisions:receipt", pk=existing.pk) if existing.cast_by_id == request.user.pk \
            else redirect(motion)
    form = VoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        if request.POST.get("confirmed") != "yes":
            return render(request, "decisions/vote_confirm.html", {
                "motion": motion, "household": household, "choice": choice,
                "choice_label": Ballot.Choice(choice).label})
        try:
            ballot = services.ballot_cast(motion=motion, household=household, choice=choice, by=request.user)
        except ValidationError as error:
            _refused(request, error)
            return redirect(motion)
        messages.success(request, _("Your vote is recorded. Keep the verification code."))
        return redirect("decisions:receipt", pk=ballot.pk)
    return render(request, "decisions/vote.html", {"motion": motion, "household": household, "form": form,
                                                   "attachments": list(motion.attachments.all()),
                                                   "voting_now": motion.voting_now()})


@login_required
def receipt(request, pk):
    """The voter's receipt: only the person who cast it, or who may vote for the unit, sees it."""
    ballot = get_object_or_404(Ballot.objects.select_related("motion", "household"), pk=pk)
    motion = _get_motion(request, ballot.motion_id)
    own = ballot.cast_by_id == request.user.pk and ballot.channel == Ballot.Channel.ONLINE
    if not own and services.voting_standing(request.user, ballot.household, motion) is None:
        raise Http404
    current = not hasattr(ballot, "replaced_by")
    may_change = (current and motion.voting_now() and motion.accepts_online()
                  and services.voting_standing(request.user, ballot.household, motion) is not None)
    return render(request, "decisions/receipt.html", {"ballot": ballot, "motion": motion, "current": current,
                                                      "may_change": may_change})


@login_required
def ballot_change(request, pk):
    """The owner changes the unit's vote before the close: a new ballot replaces this one, both are kept."""
    ballot = get_object_or_404(Ballot.objects.select_related("motion", "household"), pk=pk)
    motion = _get_motion(request, ballot.motion_id)
    if services.voting_standing(request.user, ballot.household, motion) is None:
        raise Http404
    form = ChangeVoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmed") != "yes":
            return render(request, "decisions/vote_change.html", {
                "motion": motion, "ballot": ballot, "form": form, "confirming": True,
                "choice_label": Ballot.Choice(data["choice"]).label})
        try:
            change = services.ballot_change(ballot=ballot, choice=data["choice"], reason=data["reason"],
                                            by=request.user)
        except ValidationError as error:
            _refused(request, error)
            return redirect("decisions:receipt", pk=ballot.pk)
        messages.success(request, _("Your vote is changed. Keep the new verification code."))
        return redirect("decisions:receipt", pk=change.pk)
    return render(request, "decisions/vote_change.html", {"motion": motion, "ballot": ballot, "form": form})


def _closed_tally(request, pk):
    motion = _get_motion(request, pk)
    if not motion.is_closed:
        messages.error(request, _("The tally is made when voting closes; this motion is not closed yet."))
        return motion, None
    return motion, motion.tally


@login_required
def tally(request, pk):
    motion, stored = _closed_tally(request, pk)
    if stored is None:
        return redirect(motion)
    context = sheet_context(stored.data, code=stored.code, with_units=True)
    return render(request, "decisions/tally.html", {**context, "motion": motion, "tally": stored})


@login_required
def tally_pdf(request, pk):
    motion, stored = _closed_tally(request, pk)
    if stored is None:
        return redirect(motion)
    response = HttpResponse(posted_pdf_read(stored.pdf, stored.sha256), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tally-{motion.pk}.pdf"'
    response["ETag"] = f'"{stored.sha256}"'
    return response


def tally_verify(request, code):
    """Open to anyone holding the printed code: exactly what the sheet on the board shows, and its digest."""
    stored = get_object_or_404(Tally, code=code)
    return render(request, "decisions/tally_verify.html", {**sheet_context(stored.data), "tally": stored})


# The committee -------------------------------------------------------------------------------------------------

@committee_required
def assembly_new(request):
    form = AssemblyForm(request.POST or None)
    if form.is_valid():
        assembly = services.assembly_save(by=request.user, **form.cleaned_data)
        return redirect(assembly)
    return render(request, "decisions/form.html", {"form": form, "title": _("New owners' assembly")})


@committee_required
def assembly_detail(request, pk):
    assembly = get_object_or_404(Assembly.objects.prefetch_related(
        Prefetch("motions", queryset=Motion.objects.order_by("pk"))), pk=pk)
    return render(request, "decisions/assembly.html", {"assembly": assembly})


@committee_required
def assembly_edit(request, pk):
    assembly = get_object_or_404(Assembly, pk=pk)
    form = AssemblyForm(request.POST or None, instance=assembly)
    if form.is_valid():
        services.assembly_save(assembly=assembly, by=request.user, **form.cleaned_data)
        return redirect(assembly)
    return render(request, "decisions/form.html", {"form": form, "title": assembly.title})


@committee_required
def motion_new(request, pk):
    assembly = get_object_or_404(Assembly, pk=pk)
    form = MotionForm(request.POST or None)
    if form.is_valid():
        try:
            motion = services.motion_save(assembly=assembly, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Draft saved. Add attachments, check it, then open voting."))
            return redirect(motion)
    return render(request, "decisions/form.html", {"form": form, "title": _("New motion"), "parent": assembly})


def _get_draft(request, pk):
    motion = get_object_or_404(Motion, pk=pk)
    if not motion.is_draft:
        messages.error(request, _("Voting on this motion has opened: it can no longer be changed."))
        return motion, False
    return motion, True


@committee_required
def motion_edit(request, pk):
    motion, editable = _get_draft(request, pk)
    if not editable:
        return redirect(motion)
    form = MotionForm(request.POST or None, instance=motion)
    if form.is_valid():
        try:
            services.motion_save(motion=motion, assembly=motion.assembly, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(motion)
    return render(request, "decisions/form.html", {"form": form, "title": motion.title, "parent": motion.assembly})


@require_POST
@committee_required
def motion_attach(request, pk):
    motion = get_object_or_404(Motion, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.motion_attach(motion=motion, prepared=form.cleaned_data["file"], by=request.user)
        except ValidationError as error:
            _refused(request, error)
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect(motion)


@require_POST
@committee_required
def attachment_remove(request, pk):
    item = get_object_or_404(MotionAttachment, pk=pk)
    try:
        services.motion_attachment_remove(attachment=item, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    return redirect(item.motion)


def _act(request, pk, action, success):
    motion = get_object_or_404(Motion, pk=pk)
    try:
        action(motion=motion, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return motion


@require_POST
@committee_required
def motion_open(request, pk):
    return redirect(_act(request, pk, services.motion_open, _("Voting is open: owners can vote now.")))


@require_POST
@committee_required
def motion_close(request, pk):
    return redirect(_act(request, pk, services.motion_close,
                         _("Voting is closed and counted. Print the sheet for the board.")))


@require_POST
@committee_required
def motion_discard(request, pk):
    motion = get_object_or_404(Motion, pk=pk)
    assembly = motion.assembly
    try:
        services.motion_discard(motion=motion, by=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect(motion)
    messages.success(request, _("The draft was discarded."))
    return redirect(assembly)


@committee_required
def ballots(request, pk):
    """Who has taken part (never how, until the close), paper ballots to confirm, corrections."""
    motion = get_object_or_404(Motion.objects.published(), pk=pk)
    rows = (Ballot.objects.filter(motion=motion).select_related("household", "cast_by", "confirmation__by",
                                                                 "replaces", "proxy")
            .prefetch_related("replaced_by").order_by("household__code", "cast_at", "pk"))
    # A paper vote of a large estate is hundreds of ballots: a page at a time, by unit (queries: the count, the
    # page); for the printed record, the whole list on one page.
    whole = request.GET.get("all") == "1"
    page = None if whole else Paginator(rows, BALLOTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "decisions/ballots.html", {
        "motion": motion, "ballots": rows if whole else page, "page": page, "whole": whole,
        "show_choices": motion.is_closed,
        "participation": services.participation(motion) if motion.is_open else None})


@committee_required
def paper_new(request, pk):
    motion = get_object_or_404(Motion.objects.open(), pk=pk)
    form = PaperBallotForm(request.POST or None, request.FILES or None, motion=motion)
    if form.is_valid():
        try:
            services.ballot_enter_paper(motion=motion, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Entered. A second committee member confirms it against the paper."))
            return redirect("decisions:ballots", pk=motion.pk)
    return render(request, "decisions/form.html", {"form": form, "title": _("Enter a paper ballot"),
                                                   "parent": motion, "multipart": True})


def _get_ballot(pk):
    return get_object_or_404(Ballot.objects.select_related("motion", "household"), pk=pk)


@committee_required
def ballot_confirm(request, pk):
    ballot = _get_ballot(pk)
    form = ConfirmBallotForm(request.POST or None)
    if form.is_valid():
        try:
            services.ballot_confirm(ballot=ballot, choice=form.cleaned_data["choice"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Confirmed: the ballot counts."))
            return redirect("decisions:ballots", pk=ballot.motion_id)
    return render(request, "decisions/ballot_confirm.html", {"form": form, "ballot": ballot})


@committee_required
def ballot_correct(request, pk):
    ballot = _get_ballot(pk)
    form = CorrectBallotForm(request.POST or None, request.FILES or None,
                             initial={"voter_name": ballot.voter_name})
    if form.is_valid():
        try:
            services.ballot_correct(ballot=ballot, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Corrected. A second committee member confirms the correction."))
            return redirect("decisions:ballots", pk=ballot.motion_id)
    return render(request, "decisions/form.html", {
        "form": form, "title": _("Correct the ballot of %(unit)s") % {"unit": ballot.household.code},
        "parent": ballot.motion, "multipart": True})


@committee_required
def ballot_scan(request, pk):
    ballot = _get_ballot(pk)
    return uploads.serve(ballot.scan, download_name=f"ballot-{ballot.household.code}.{ballot.scan.rsplit('.', 1)[-1]}")


@committee_required
def owners(request):
    def make(form_token):
        # Kept whole per viewer (estate.panels.kept_page) under the decisions' token, which watches the owners and
        # their units (migration committee/0003), and the register's (the units' codes).
        rows = Owner.objects.prefetch_related("units__household")
        return render_to_string("decisions/owners.html", {"owners": rows, "csrf_token": form_token}, request), ()

    return panels.kept_page(request, "decisions.owners", (Version.DECISIONS, Version.REGISTER), make)


@committee_required
def owner_new(request):
    return _owner_form(request, None)


@committee_required
def owner_edit(request, pk):
    return _owner_form(request, get_object_or_404(Owner, pk=pk))


def _owner_form(request, owner):
    initial = {"name": owner.name, "note": owner.note,
               "households": [u.household_id for u in owner.units.all()]} if owner else None
    form = OwnerForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.owner_save(owner=owner, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved: these units count as one owner in votes opened from now on."))
            return redirect("decisions:owners")
    return render(request, "decisions/form.html", {"form": form, "title": _("Owner of several units")})


@require_POST
@committee_required
def owner_unmark(request, pk):
    services.owner_unmark(owner=get_object_or_404(Owner, pk=pk), by=request.user)
    messages.success(request, _("The units count one owner each again."))
    return redirect("decisions:owners")


@committee_required
def proxies(request):
    rows = Proxy.objects.select_related("household", "assembly", "holder")
    return render(request, "decisions/proxies.html", {"proxies": rows, "revoke_form": RevokeForm()})


@committee_required
def proxy_new(request):
    form = ProxyForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        services.proxy_record(by=request.user, **form.cleaned_data)
        messages.success(request, _("The proxy is recorded."))
        return redirect("decisions:proxies")
    return render(request, "decisions/form.html", {"form": form, "title": _("Record a written proxy"),
                                                   "multipart": True})


@committee_required
def proxy_scan(request, pk):
    proxy = get_object_or_404(Proxy, pk=pk)
    return uploads.serve(proxy.scan)


@require_POST
@committee_required
def proxy_revoke(request, pk):
    proxy = get_object_or_404(Proxy, pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.proxy_revoke(proxy=proxy, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The proxy is revoked."))
    else:
        messages.error(request, _("Say why the proxy is revoked."))
    return redirect("decisions:proxies")
