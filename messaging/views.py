"""The inbox (everyone), the committee's delivery log and phone tree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import committee_required
from estate import cached, panels
from estate.models import Building, Household, Resident, Version
from messaging import channels, services
from messaging.forms import ReachForm
from messaging.models import Delivery, Message, Reach

PER_PAGE = 50


@login_required
def inbox(request):
    page = Paginator(Message.objects.filter(recipient=request.user).only(
        "subject", "created_at", "read_at", "topic"), PER_PAGE).get_page(request.GET.get("page"))
    reach = Reach.objects.filter(user=request.user).first() or Reach(user=request.user)
    return render(request, "messaging/inbox.html", {
        "page": page, "reach_form": ReachForm(instance=reach),
        "has_email": bool(request.user.email), "sms_on": channels.sms_enabled(),
        "phone": services.phone_of(request.user),
    })


@login_required
def message(request, pk):
    message = get_object_or_404(Message.objects.filter(recipient=request.user), pk=pk)
    services.message_read(message=message)
    return render(request, "messaging/message.html", {"message": message})


@require_POST
@login_required
def read_all(request):
    services.messages_read_all(user=request.user)
    return redirect("messaging:inbox")


@require_POST
@login_required
def reach(request):
    form = ReachForm(request.POST)
    if form.is_valid():
        services.reach_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Saved: this is how the estate reaches you."))
    return redirect("messaging:inbox")


@committee_required
def log(request):
    """Every delivery, the failed and the interrupted first: what the estate told whom, and what did not arrive."""
    def make(form_token):
        # Kept whole per viewer and address (estate.panels.kept_page) under the messages' token, which every
        # delivery moves (migration 0004), and the people's (the recipients' names).
        deliveries = Delivery.objects.select_related("message__recipient").order_by("-message__created_at", "-pk")
        status = request.GET.get("status", "")
        if status in Delivery.Status.values:
            deliveries = deliveries.filter(status=status)
        page = Paginator(deliveries, PER_PAGE).get_page(request.GET.get("page"))
        failed = Delivery.objects.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.UNCERTAIN]).count()
        return render_to_string("messaging/log.html", {
            "page": page, "status": status, "Status": Delivery.Status, "failed": failed, "csrf_token": form_token,
        }, request), ()

    return panels.kept_page(request, "messaging.log", (Version.MESSAGES, Version.PEOPLE), make)


def _unreachable_households():
    """Households nobody of which has e-mail or SMS: the phone tree's callees, per building."""
    # Only the columns the tree reads: every active resident's login with its password hash and the rest was most
    # of the page's cost.
    residents = (Resident.objects.filter(is_active=True).select_related("user__reach")
                 .only("household_id", "name", "phone", "user__email", "user__is_active", "user__reach__email",
                       "user__reach__sms").order_by("pk"))
    households = Household.objects.filter(is_active=True).only("building_id", "code").prefetch_related(
        Prefetch("residents", queryset=residents, to_attr="active_residents"))
    sms = channels.sms_enabled()
    result = {}
    for household in households:
        people = household.active_residents
        if not people:
            continue
        reachable = False
        for person in people:
            user = person.user
            if user is None or not user.is_active:
                continue
            choice = getattr(user, "reach", None)
            if user.email and (choice is None or choice.email):
                reachable = True
            if sms and person.phone and (choice is None or choice.sms):
                reachable = True
        if not reachable:
            result.setdefault(household.building_id, []).append(household)
    return result


@committee_required
def phone_tree(request):
    """Who calls whom when everyone must be told: the chair calls the building heads, each head their callees. Kept
    whole per state of the register and of the people (logins, roles, the ways each chose: estate.cached.kept)."""
    return render(request, "messaging/phone_tree.html", {"content": cached.kept(request, "phone-tree", _phone_tree,
                                                                                versions=(Version.REGISTER,
                                                                                          Version.PEOPLE))})


def _phone_tree():
    callees = _unreachable_households()
    # The chair and the building heads in one query, their phones in another (services.phone_of for each).
    roles = list(Role.objects.filter(kind__in=(Role.Kind.CHAIR, Role.Kind.BUILDING_HEAD), ended_at__isnull=True)
                 .select_related("user").order_by("user_id"))
    phones = {}
    for user_id, phone in (Resident.objects.filter(user__in={role.user_id for role in roles}, is_active=True)
                           .exclude(phone="").order_by("pk").values_list("user_id", "phone")):
        phones.setdefault(user_id, phone)
    heads = {}
    for role in roles:
        if role.kind == Role.Kind.BUILDING_HEAD and role.user.is_active:
            heads.setdefault(role.building_id, []).append((role.user, phones.get(role.user_id, "")))
    buildings = [{"building": building, "heads": heads.get(building.pk, []), "households": callees.get(building.pk, [])}
                 for building in Building.objects.order_by("code")]
    chair = next((role.user for role in roles if role.kind == Role.Kind.CHAIR), None)
    return render_to_string("messaging/_phone_tree.html", {
        "buildings": buildings, "chair": chair, "chair_phone": phones.get(chair.pk, "") if chair else "",
    })
