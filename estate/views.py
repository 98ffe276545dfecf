from functools import cache
from importlib import import_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import connection
from django.db.models import Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from accounts.models import COMMITTEE_KINDS, ActivityRecord, Role
from accounts.permissions import committee_required, role_required
from estate import cached, roster, services
from estate import panels as dashboard_panels
from estate.filters import HouseholdFilter, ResidentFilter
from estate.forms import HouseholdForm, ResidentForm, RosterUploadForm
from estate.models import Building, Household, Resident
from estate.tables import EXPORT_FORMATS, HouseholdTable, ResidentTable, export_response, total_area

# Each part of the estate contributes its panels to the dashboard, in this order.
DASHBOARD_APPS = ("estate", "ledger", "repairs", "keys", "decisions", "budgeting", "care", "messaging")


@cache
def _dashboard_versions():
    """Every version any of their panels reads."""
    return tuple(dict.fromkeys(
        version for app in DASHBOARD_APPS for version in import_module(f"{app}.dashboard").VERSIONS))


@require_GET
@never_cache
def healthz(request):
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def dashboard(request):
    """Each app's panels, kept as HTML per viewer and state of their rows (estate/panels.py); the page around them
    is kept too, under every version the panels read, until the earliest moment the clock alone changes one."""

    def make(form_token):
        # "panels" holds the (template, context) pairs of the panels made for this request.
        parts, panels, moments = [], [], []
        for app in DASHBOARD_APPS:
            html, made, until = dashboard_panels.app_panels(request, app, import_module(f"{app}.dashboard"))
            if html:
                parts.append(html)
            panels.extend(made)
            moments.append(until)
        html = render_to_string("estate/dashboard.html", {"parts": parts, "panels": panels,
                                                          "csrf_token": form_token}, request)
        return html, moments

    return dashboard_panels.kept_page(request, "dashboard", _dashboard_versions(), make)


# --- The household register -----------------------------------------------------

REGISTER_KINDS = (*COMMITTEE_KINDS, Role.Kind.BUILDING_HEAD)
PER_PAGE = 100  # the whole demo estate (56 households) on one page, and on paper
MAX_PER_PAGE = 200  # ?per_page= may ask for more rows, but a page stays a page


def _paginate(request, table):
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    if table.paginator.per_page > MAX_PER_PAGE:
        table.paginate(per_page=MAX_PER_PAGE, page=1)


def _get_household_for_user(request, pk):
    """The household if `request.user` may see it: 404 outside their reach, 403 for roles with no register."""
    user = request.user
    if not (user.is_committee or user.is_building_head or user.is_resident):
        raise PermissionDenied
    return get_object_or_404(Household.objects.visible_to(user).select_related("building"), pk=pk)


def _active_residents():
    return Prefetch("residents", queryset=Resident.objects.filter(is_active=True).order_by("pk"),
                    to_attr="active_residents")


def _export_format(request):
    export_format = request.GET.get("_export")
    if export_format is None:
        return None
    # Exports carry whole phone numbers of many people: the committee's alone.
    if export_format not in EXPORT_FORMATS or not request.user.is_committee:
        raise PermissionDenied
    return export_format


def _filtered(filterset):
    """Whether a filter other than the search box narrows the list (they stay in view if so)."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    return any(value not in (None, "") for key, value in data.items() if key not in ("q", "active")) or (
        data.get("active") not in (None, "yes"))


@role_required(*REGISTER_KINDS)
def household_list(request):
    """Every household for the committee; a building head sees their own building's, read-only.

    Queries, whatever the number of rows: session, user with roles, the register's token; unless the list
    is kept for that token (estate/cached.py): total area, count, buildings (the filter's choices),
    one page of households with their buildings, their residents.
    """
    user = request.user
    export_format = _export_format(request)
    households = Household.objects.select_related("building").prefetch_related(_active_residents())
    buildings = Building.objects.all()
    if not user.is_committee:
        households = households.filter(building_id__in=user.headed_building_ids)
        buildings = buildings.filter(pk__in=user.headed_building_ids)
    filterset = HouseholdFilter(request.GET, queryset=households, viewer=user, buildings=buildings)
    rows = filterset.qs
    if export_format:
        table = HouseholdTable(rows, viewer=user)
        RequestConfig(request, paginate=False).configure(table)
        return export_response(table, export_format, _("households"))

    def content():
        table = HouseholdTable(rows, viewer=user, total_area=total_area(rows))
        _paginate(request, table)
        return render_to_string("estate/_household_list.html",
                                {"table": table, "filter": filterset, "filtered": _filtered(filterset)}, request)

    return render(request, "estate/household_list.html", {"content": cached.kept(request, "households",
                                                                                          content)})


@login_required
def household_detail(request, pk):
    household = _get_household_for_user(request, pk)
    user = request.user
    residents = household.residents.select_related("user").order_by("-is_active", "pk")
    if not user.is_committee:
        residents = residents.filter(is_active=True)
    context = {
        "household": household,
        "residents": [(resident, resident.phone_for(user)) for resident in residents],
        "may_edit": user.is_committee,
    }
    if user.is_committee:
        context["activity"] = _household_activity(household)
    return render(request, "estate/household_detail.html", context)


ACTIVITY_VERBS = {
    "household.created": gettext_lazy("household added"),
    "household.updated": gettext_lazy("household changed"),
    "household.deactivated": gettext_lazy("household deactivated"),
    "household.reactivated": gettext_lazy("household reactivated"),
    "resident.created": gettext_lazy("resident added"),
    "resident.updated": gettext_lazy("resident changed"),
    "resident.deactivated": gettext_lazy("moved out"),
    "resident.reactivated": gettext_lazy("lives here again"),
}


def _field(key):
    for model in (Household, Resident):
        try:
            return model._meta.get_field(key)
        except FieldDoesNotExist:
            continue
    return None


def _change_in_words(key, value):
    """("居住状况", "业主自住 → 出租") from ("occupancy", ["owner", "rented"]) in a log record's details."""
    field = _field(key)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    values = value if isinstance(value, list) else [value]
    return (field.verbose_name if field is not None else key,
            " → ".join(str(choices.get(v, v)) if v != "" else "—" for v in values))


def _household_activity(household):
    """The last changes to the household and its residents, newest first, in words (for the committee)."""
    resident_ids = [str(pk) for pk in household.residents.values_list("pk", flat=True)]
    types = ContentType.objects.get_for_models(Household, Resident)
    records = ActivityRecord.objects.filter(
        Q(target_type=types[Household], target_id=str(household.pk))
        | Q(target_type=types[Resident], target_id__in=resident_ids)
    ).select_related("actor")[:20]
    return [
        (record, ACTIVITY_VERBS.get(record.verb, record.verb),
         # Which household, and active or not, the line says already.
        [_change_in_words(key, value) for key, value in record.details.items()
         if key not in ("household", "is_active")])
        for record in records
    ]


@committee_required
def household_new(request):
    form = HouseholdForm(request.POST or None)
    if form.is_valid():
        household = services.household_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Household %(code)s added.") % {"code": household.code})
        return redirect(household)
    return render(request, "estate/household_form.html", {"form": form})


@committee_required
def household_edit(request, pk):
    household = get_object_or_404(Household.objects.select_related("building"), pk=pk)
    form = HouseholdForm(request.POST or None, instance=household)
    if form.is_valid():
        changed = services.household_update(household=household, by=request.user, **form.cleaned_data)
        if changed:
            messages.success(request, _("Household %(code)s saved.") % {"code": household.code})
        return redirect(household)
    return render(request, "estate/household_form.html", {"form": form, "household": household})


@require_POST
@committee_required
def household_set_active(request, pk, *, active):
    """Deactivate (or reactivate) a household; it is never deleted (see estate/services.py)."""
    household = get_object_or_404(Household, pk=pk)
    if active:
        services.household_reactivate(household=household, by=request.user)
        messages.success(request, _("Household %(code)s is active again.") % {"code": household.code})
    else:
        services.household_deactivate(household=household, by=request.user)
        messages.success(request, _("Household %(code)s deactivated: it keeps its history.")
                         % {"code": household.code})
    return redirect(household)


@role_required(*COMMITTEE_KINDS)
def resident_list(request):
    """Queries: session, user with roles, the register's token; unless the list is kept for that token: count,
    buildings (filter choices), one page of residents."""
    export_format = _export_format(request)
    residents = Resident.objects.select_related("household")
    filterset = ResidentFilter(request.GET, queryset=residents, viewer=request.user)
    table = ResidentTable(filterset.qs, viewer=request.user)
    if export_format:
        RequestConfig(request, paginate=False).configure(table)
        return export_response(table, export_format, _("residents"))

    def content():
        _paginate(request, table)
        return render_to_string("estate/_resident_list.html",
                                {"table": table, "filter": filterset, "filtered": _filtered(filterset)}, request)

    return render(request, "estate/resident_list.html", {"content": cached.kept(request, "residents",
                                                                                         content)})


@committee_required
def resident_new(request, pk):
    household = get_object_or_404(Household, pk=pk)
    form = ResidentForm(request.POST or None)
    if form.is_valid():
        services.resident_create(household=household, by=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s added to %(code)s.") % {"name": form.cleaned_data["name"],
                                                                       "code": household.code})
        return redirect(household)
    return render(request, "estate/resident_form.html", {"form": form, "household": household})


@committee_required
def resident_edit(request, pk):
    resident = get_object_or_404(Resident.objects.select_related("household"), pk=pk)
    form = ResidentForm(request.POST or None, instance=resident)
    if form.is_valid():
        if services.resident_update(resident=resident, by=request.user, **form.cleaned_data):
            messages.success(request, _("%(name)s saved.") % {"name": resident.name})
        return redirect(resident.household)
    return render(request, "estate/resident_form.html",
                  {"form": form, "household": resident.household, "resident": resident})


@require_POST
@committee_required
def resident_set_active(request, pk, *, active):
    """Moved out (or back): the record stays, marked inactive."""
    resident = get_object_or_404(Resident.objects.select_related("household"), pk=pk)
    if active:
        services.resident_reactivate(resident=resident, by=request.user)
        messages.success(request, _("%(name)s is active again.") % {"name": resident.name})
    else:
        services.resident_deactivate(resident=resident, by=request.user)
        messages.success(request, _("%(name)s no longer lives at %(code)s.")
                         % {"name": resident.name, "code": resident.household.code})
    return redirect(resident.household)


# --- Roster import: upload, preview, confirm ---------------------------------------

ROSTER_TOKEN_MAX_AGE = 60 * 60


def _roster_salt(user):
    # A preview token is good for the committee member who uploaded the file, and for an hour.
    return f"estate.roster.{user.pk}"


def _roster_preview(request, rows, filename, *, status=200):
    """Show what the roster would change; the rows travel to the confirmation signed, not stored."""
    try:
        plan = roster.make_plan(rows)
    except roster.RosterInvalid as invalid:
        return _roster_errors(request, invalid, filename)
    token = signing.dumps(
        {"rows": [row.as_json() for row in rows], "skipped": rows.skipped, "file": filename},
        salt=_roster_salt(request.user), compress=True,
    )
    return render(request, "estate/roster_preview.html",
                  {"plan": plan, "token": token, "digest": plan.digest, "filename": filename}, status=status)


def _roster_errors(request, invalid, filename):
    form = RosterUploadForm()
    return render(request, "estate/roster_import.html",
                  {"form": form, "errors": invalid.errors, "filename": filename}, status=422)


@committee_required
def roster_import(request):
    """Upload a roster; answers with the preview of what it would change. Writes nothing."""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = roster.parse(upload.read(), upload.name)
        except roster.RosterInvalid as invalid:
            return _roster_errors(request, invalid, upload.name)
        return _roster_preview(request, rows, upload.name)
    return render(request, "estate/roster_import.html", {"form": form})


@require_POST
@committee_required
def roster_confirm(request):
    """Apply the previewed roster, exactly as previewed (else show the new preview)."""
    try:
        data = signing.loads(request.POST.get("token", ""), salt=_roster_salt(request.user),
                             max_age=ROSTER_TOKEN_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, _("That preview has expired or is not yours: please upload the file again."))
        return redirect("estate:roster-import")
    rows = roster.ParsedRoster([roster.RosterRow.from_json(row) for row in data["rows"]],
                               [tuple(item) for item in data["skipped"]])
    try:
        plan = services.roster_import(rows=rows, by=request.user, filename=data["file"],
                                      expected_digest=request.POST.get("digest", ""))
    except services.RosterChanged:
        messages.warning(request, _("The register changed since the preview. Here is what the file would "
                                    "change now; please check it again."))
        return _roster_preview(request, rows, data["file"], status=409)
    except roster.RosterInvalid as invalid:
        return _roster_errors(request, invalid, data["file"])
    if plan.has_changes:
        messages.success(request, _("Roster imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.")
                         % {"new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged})
    else:
        messages.info(request, _("Nothing to change: the register already matches the file."))
    return redirect("estate:household-list")
