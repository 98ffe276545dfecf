"""Pages of the key register. Who may see what is decided by the `_get_*_for_user` helpers and keys/access.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.permissions import committee_required
from estate import panels
from estate.models import Household
from estate.pdf import render_pdf
from estate.uploads import serve
from keys import access, services
from keys.dashboard import VERSIONS
from keys.forms import (
    ConsentForm,
    DepositForm,
    HandBackForm,
    HandoverForm,
    HouseholdChoiceForm,
    InventoryForm,
    KeeperForm,
    LostForm,
    ReturnForm,
)
from keys.models import (
    InventoryCheck,
    InventoryLine,
    KeyConsent,
    KeyDeposit,
    KeyHandover,
    KeyHandoverEvent,
    KeyKeeper,
    Purpose,
)
from keys.services import KeyRefused

# --- Who may see which object --------------------------------------------------------------


def _with_history(queryset):
    """Deposits with what their pages show: consents and hand-overs with their events and people."""
    handovers = KeyHandover.objects.select_related("keeper", "witness").prefetch_related(
        Prefetch("events", queryset=KeyHandoverEvent.objects.select_related("by"))
    )
    return queryset.select_related("household", "depositor", "received_by", "returned_to", "ended_by").prefetch_related(
        Prefetch("consents", queryset=KeyConsent.objects.select_related("recorded_by")),
        Prefetch("handovers", queryset=handovers),
    )


def _scoped_to_household(user, queryset, field):
    """Keepers on duty and the committee see all rows; a resident those of their household; others 403."""
    if access.is_keeper_on_duty(user):
        return queryset
    if not user.is_resident:
        raise PermissionDenied
    return queryset.filter(**{f"{field}__in": user.household_ids})


def _get_deposit_for_user(request, pk, queryset=None):
    deposits = queryset if queryset is not None else KeyDeposit.objects.select_related("household")
    return get_object_or_404(_scoped_to_household(request.user, deposits, "household_id"), pk=pk)


def _get_household_for_user(request, pk):
    return get_object_or_404(_scoped_to_household(request.user, Household.objects.all(), "pk"), pk=pk)


def _get_handover_for_user(request, pk):
    """Keepers on duty see every hand-over; the two people theirs; a household those of its keys."""
    user = request.user
    handovers = KeyHandover.objects.select_related("deposit__household", "keeper", "witness").prefetch_related(
        Prefetch("events", queryset=KeyHandoverEvent.objects.select_related("by"))
    )
    if not access.is_keeper_on_duty(user):
        if not (access.can_witness(user) or user.is_resident):
            raise PermissionDenied
        handovers = handovers.filter(
            Q(keeper=user) | Q(witness=user) | Q(deposit__household_id__in=user.household_ids)
        )
    return get_object_or_404(handovers, pk=pk)


def _keeper_required(view):
    def wrapped(request, *args, **kwargs):
        access.require_keeper(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return login_required(wrapped)


def _refused(request, error, form=None):
    if form is not None:
        form.add_error(None, str(error))
    else:
        messages.error(request, str(error))


# --- The key keepers' page, the register, a household's keys -------------------------------------


@login_required
def index(request):
    """The key keepers' page: what waits for me, which keys are out, which are overdue."""
    user = request.user
    if not access.works_with_keys(user):
        raise PermissionDenied

    def make():
        # Every list below is part of the open hand-overs (awaiting the witness, or out): one query with their
        # events, split here as KeyHandoverQuerySet.awaiting_witness(), .involving() and .out_now() would.
        open_now = list(KeyHandover.objects.open().select_related("deposit", "keeper", "witness")
                        .prefetch_related("events").order_by("created_at", "pk"))
        awaiting_me = [handover for handover in open_now if handover.n_out == 1 and handover.witness_id == user.pk]
        mine = [handover for handover in open_now if user.pk in (handover.keeper_id, handover.witness_id)]
        on_duty = access.is_keeper_on_duty(user)
        out_now = sorted((handover for handover in open_now if handover.n_out == 2 and handover.n_back < 2),
                         key=lambda handover: handover.out_time) if on_duty else []
        html = render_to_string("keys/_index.html", {
            "awaiting_me": awaiting_me, "mine": mine, "out_now": out_now, "on_duty": on_duty, "user": user,
            "overdue": [handover for handover in out_now if handover.is_overdue],
        })
        # The clock alone changes the lists when a hand-over's time to confirm runs out or a key out falls overdue.
        return html, [moment for handover in open_now for moment in (handover.confirm_by, handover.due_back_at)
                      if moment]

    # Kept as HTML per viewer and state of the keys, the households and the people (estate/panels.py), and under
    # whether the viewer keeps keys, which is read before the tokens.
    return render(request, "keys/index.html", {
        "content": panels.kept(request, f"keys.index.{access.is_keeper_on_duty(user)}", VERSIONS, make)})


def _register_rows():
    deposits = list(KeyDeposit.objects.filter(status=KeyDeposit.Status.ACTIVE).order_by("hook"))
    out = KeyHandover.objects.filter(deposit__in=deposits).out_now().prefetch_related("events")
    by_deposit = {handover.deposit_id: handover for handover in out}
    return [(deposit, by_deposit.get(deposit.pk)) for deposit in deposits]


@_keeper_required
def register(request):
    """Tags, hooks and where each key is: no addresses, no names (it may be printed and pinned up)."""
    rows = _register_rows()
    checks = InventoryCheck.objects.select_related("by")[:5]
    return render(request, "keys/register.html", {
        "rows": rows, "checks": checks, "out_count": sum(1 for _, handover in rows if handover),
    })


@_keeper_required
def register_pdf(request):
    pdf = render_pdf("keys/register_pdf.html", {"rows": _register_rows(), "now": timezone.now()}, request=request)
    return _pdf_response(pdf, f"key-register-{timezone.localdate():%Y%m%d}.pdf")


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def mine(request):
    """A resident's way to their household's key page."""
    household_ids = sorted(request.user.household_ids)
    if not household_ids:
        raise PermissionDenied
    return household(request, household_ids[0])


@login_required
def household(request, pk):
    """A household's keys, kept as HTML per viewer and state of the keys (estate/panels.py): residents open this
    page far more often than its keys change. The form token differs per session, so it is put in at each request."""
    household = _get_household_for_user(request, pk)

    def make(form_token):
        deposits = list(_with_history(household.key_deposits.all()).order_by("-deposited_at"))
        html = render_to_string("keys/_household_deposits.html", {
            "household": household, "deposits": deposits, "user": request.user, "request": request,
            "csrf_token": form_token,
        })
        # The clock alone changes a story when a hand-over's time to confirm runs out or a key out falls overdue.
        return html, [moment for deposit in deposits for handover in deposit.handovers.all()
                      for moment in (handover.confirm_by, handover.due_back_at) if moment]

    return render(request, "keys/household.html", {
        "household": household, "content": panels.kept_form(request, f"keys.household.{household.pk}", VERSIONS, make),
    })


# --- Deposits ----------------------------------------------------------------------------


@_keeper_required
def deposit_new(request):
    """Two steps without JavaScript: choose the household, then its resident, tag, hook, keys and consent."""
    households = Household.objects.filter(is_active=True)
    chooser = HouseholdChoiceForm(request.GET or None, households=households)
    if not chooser.is_valid():
        return render(request, "keys/deposit_choose_household.html", {"chooser": chooser})
    household = chooser.cleaned_data["household"]
    initial = _free_tag_and_hook()
    form = DepositForm(request.POST or None, household=household, initial=initial)
    consent_form = ConsentForm(request.POST or None, prefix="consent")
    if request.method == "POST" and form.is_valid() and consent_form.is_valid():
        try:
            deposit = services.deposit_create(household=household, consent=consent_form.consent(),
                                              by=request.user, **form.cleaned_data)
        except KeyRefused as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("Key %(tag)s is in the cabinet on hook %(hook)d. Print the agreement "
                                        "for both of you to sign.") % {"tag": deposit.tag, "hook": deposit.hook})
            return redirect("keys:deposit", pk=deposit.pk)
    return render(request, "keys/deposit_form.html", {
        "household": household, "form": form, "consent_form": consent_form,
    })


def _free_tag_and_hook():
    used_tags = set(KeyDeposit.objects.values_list("tag_number", flat=True))
    used_hooks = set(KeyDeposit.objects.filter(status=KeyDeposit.Status.ACTIVE).values_list("hook", flat=True))
    return {
        "tag_number": max(used_tags, default=0) + 1,
        "hook": next(hook for hook in range(1, len(used_hooks) + 2) if hook not in used_hooks),
        "door_keys": 1,
    }


@login_required
def deposit(request, pk):
    deposit = _get_deposit_for_user(request, pk, _with_history(KeyDeposit.objects.all()))
    return render(request, "keys/deposit.html", {"deposit": deposit, **_deposit_context(request, deposit)})


def _deposit_context(request, deposit):
    user = request.user
    handovers = list(deposit.handovers.all())
    return {
        "on_duty": access.is_keeper_on_duty(user),
        "is_household": deposit.household_id in user.household_ids,
        "handovers": handovers,
        "busy": any(h.state in (KeyHandover.State.AWAITING_WITNESS, *_OUT_STATES) for h in handovers),
    }


_OUT_STATES = (KeyHandover.State.OUT, KeyHandover.State.RETURNING)


@login_required
def agreement_pdf(request, pk):
    deposit = _get_deposit_for_user(request, pk, _with_history(KeyDeposit.objects.all()))
    context = {"deposit": deposit, "consent": deposit.current_consent, "now": timezone.now(),
               "overdue_hours": settings.KEYS_OVERDUE_HOURS}
    pdf = render_pdf("keys/agreement_pdf.html", context, request=request)
    return _pdf_response(pdf, f"key-agreement-{deposit.tag}.pdf")


@login_required
def consent_change(request, pk):
    deposit = _get_deposit_for_user(request, pk, _with_history(KeyDeposit.objects.all()))
    if deposit.status != KeyDeposit.Status.ACTIVE:
        raise PermissionDenied
    current = deposit.current_consent
    form = ConsentForm(request.POST or None, instance=None if current.withdrawn else current)
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                services.consent_withdraw(deposit=deposit, by=request.user)
                messages.success(request, _("The consent is withdrawn. The key leaves the cabinet only in an "
                                            "emergency until it is back with you."))
                return redirect(_deposit_page(request, deposit))
            if form.is_valid():
                services.consent_change(deposit=deposit, by=request.user, **form.consent())
                messages.success(request, _("The new consent is recorded."))
                return redirect(_deposit_page(request, deposit))
        except KeyRefused as error:
            _refused(request, error, form)
    return render(request, "keys/consent_form.html", {"deposit": deposit, "form": form})


def _deposit_page(request, deposit):
    """Keepers work on the deposit's page; a household reads its own key page."""
    if access.is_keeper_on_duty(request.user):
        return deposit.get_absolute_url()
    return reverse("keys:household", kwargs={"pk": deposit.household_id})


@_keeper_required
def deposit_hand_back(request, pk):
    deposit = _get_deposit_for_user(request, pk)
    form = HandBackForm(request.POST or None, household=deposit.household)
    if request.method == "POST" and form.is_valid():
        try:
            services.deposit_hand_back(deposit=deposit, resident=form.cleaned_data["resident"], by=request.user)
        except KeyRefused as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("Recorded. The deposit ends when the household confirms it has the keys."))
            return redirect("keys:deposit", pk=deposit.pk)
    return render(request, "keys/hand_back_form.html", {"deposit": deposit, "form": form})


@require_POST
@login_required
def deposit_return_confirm(request, pk):
    deposit = _get_deposit_for_user(request, pk)
    try:
        services.deposit_return_confirm(deposit=deposit, by=request.user, on_paper="on_paper" in request.POST)
    except KeyRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("Confirmed: the keys are back with the household."))
    return redirect(_deposit_page(request, deposit))


@_keeper_required
def deposit_lost(request, pk):
    deposit = _get_deposit_for_user(request, pk)
    form = LostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deposit_report_lost(deposit=deposit, by=request.user, **form.cleaned_data)
        except KeyRefused as error:
            _refused(request, error, form)
        else:
            messages.warning(request, _("The loss is recorded and the household is told."))
            return redirect("keys:deposit", pk=deposit.pk)
    return render(request, "keys/lost_form.html", {"deposit": deposit, "form": form})


# --- Hand-overs --------------------------------------------------------------------------


@_keeper_required
def handover_new(request, pk):
    deposit = _get_deposit_for_user(request, pk, KeyDeposit.objects.select_related("household").prefetch_related(
        "consents"))
    consent = deposit.current_consent
    today = timezone.localdate()
    allowed = [purpose for purpose in Purpose if consent.allows(purpose, today)]
    purposes = [*allowed, *(p for p in Purpose if p not in allowed)]
    witnesses = (access.possible_witnesses().exclude(pk=request.user.pk)
                 .exclude(pk__in=deposit.household.member_logins()).order_by("name", "username"))
    # No purpose is preselected: whoever takes a key out says why (an emergency entry above all).
    form = HandoverForm(request.POST or None, witnesses=witnesses, purposes=purposes)
    if request.method == "POST" and form.is_valid():
        try:
            handover = services.handover_start(deposit=deposit, by=request.user, **form.cleaned_data)
        except KeyRefused as error:
            _refused(request, error, form)
        else:
            messages.success(request, _("You have confirmed. Now %(witness)s confirms on their own phone, within "
                                        "%(minutes)d minutes.") % {"witness": handover.witness,
                                                                    "minutes": settings.KEYS_CONFIRM_MINUTES})
            return redirect("keys:handover", pk=handover.pk)
    return render(request, "keys/handover_form.html", {
        "deposit": deposit, "form": form, "consent": consent, "allowed": allowed,
    })


@login_required
def handover(request, pk):
    handover = _get_handover_for_user(request, pk)
    user = request.user
    state = handover.state
    role = "keeper" if user.pk == handover.keeper_id else "witness" if user.pk == handover.witness_id else None
    return render(request, "keys/handover.html", {
        "handover": handover, "state": state, "States": KeyHandover.State, "role": role,
        "shows_household": access.sees_households(user) or handover.deposit.household_id in user.household_ids,
        "may_confirm_back": role and state in _OUT_STATES
        and not handover.event_by(KeyHandoverEvent.Kind.BACK, user),
        "return_form": ReturnForm(),
        "first_back": not handover.events_of(KeyHandoverEvent.Kind.BACK),
    })


def _handover_action(request, pk, action, success):
    handover = _get_handover_for_user(request, pk)
    try:
        action(handover)
    except KeyRefused as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return redirect("keys:handover", pk=handover.pk)


@require_POST
@login_required
def handover_confirm(request, pk):
    return _handover_action(request, pk, lambda h: services.handover_confirm_out(handover=h, by=request.user),
                            _("Confirmed. The key is out of the cabinet."))


@require_POST
@login_required
def handover_cancel(request, pk):
    return _handover_action(request, pk, lambda h: services.handover_cancel(handover=h, by=request.user),
                            _("The hand-over is cancelled; the key stays in the cabinet."))


@require_POST
@login_required
def handover_back(request, pk):
    handover = _get_handover_for_user(request, pk)
    form = ReturnForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.handover_confirm_back(handover=handover, by=request.user, **form.cleaned_data)
        except KeyRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("Your confirmation of the return is recorded."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("keys:handover", pk=handover.pk)


@login_required
def photo(request, pk):
    event = get_object_or_404(KeyHandoverEvent.objects.exclude(photo=""), pk=pk)
    _get_handover_for_user(request, event.handover_id)
    return serve(event.photo, download_name=f"key-return-{event.pk}.{event.photo.rsplit('.', 1)[-1]}")


# --- Inventory ---------------------------------------------------------------------------


@_keeper_required
def inventory_new(request):
    deposits = list(KeyDeposit.objects.filter(status=KeyDeposit.Status.ACTIVE).order_by("hook"))
    form = InventoryForm(request.POST or None, deposits=deposits)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.inventory_record(present=form.present(), by=request.user,
                                              note=form.cleaned_data["note"])
        except KeyRefused as error:
            _refused(request, error, form)
        else:
            return redirect("keys:inventory", pk=check.pk)
    out = set(KeyHandover.objects.filter(deposit__in=deposits).out_now().values_list("deposit_id", flat=True))
    return render(request, "keys/inventory_form.html", {"form": form, "out": out})


@_keeper_required
def inventory(request, pk):
    check = get_object_or_404(InventoryCheck.objects.select_related("by"), pk=pk)
    lines = list(InventoryLine.objects.filter(inventory=check).select_related("deposit"))
    return render(request, "keys/inventory.html", {
        "check": check, "lines": lines, "differences": [line for line in lines if line.is_difference],
    })


# --- Key keepers ------------------------------------------------------------------------------


@committee_required
def keepers(request):
    terms = KeyKeeper.objects.filter(ended_at__isnull=True).select_related("user", "appointed_by")
    volunteers = (User.objects.filter(roles__kind=Role.Kind.VOLUNTEER, roles__ended_at__isnull=True, is_active=True)
                  .exclude(pk__in=terms.values("user"))
                  .distinct().order_by("name"))
    form = KeeperForm(volunteers=volunteers)
    return render(request, "keys/keepers.html", {"terms": terms, "form": form})


@require_POST
@committee_required
def keeper_appoint(request):
    form = KeeperForm(request.POST, volunteers=User.objects.filter(is_active=True))
    if form.is_valid():
        try:
            services.keeper_appoint(user=form.cleaned_data["user"], by=request.user)
        except KeyRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("%(name)s is now a key keeper.") % {"name": form.cleaned_data["user"]})
    else:
        messages.error(request, _("Choose a volunteer."))
    return redirect("keys:keepers")


@require_POST
@committee_required
def keeper_end(request, pk):
    term = get_object_or_404(KeyKeeper, pk=pk)
    try:
        services.keeper_end(term=term, by=request.user)
    except KeyRefused as error:
        _refused(request, error)
    return redirect("keys:keepers")
