"""The register's tables (django-tables2), shared by the pages and their CSV/XLSX export."""

import django_tables2 as tables
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django_tables2.export import TableExport

from estate.aggregates import exact_sum
from estate.cards import CardTable
from estate.models import Household, Resident

EXPORT_FORMATS = ("csv", "xlsx")
# A cell starting with one of these is a formula to Excel: a name typed as "=HYPERLINK(...)"
# must stay text in the committee's spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _ViewerTable(CardTable):
    """A table that knows who looks at it, for phones (whole or masked, Resident.phone_for)."""

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer


def _status(record):
    return _("Active") if record.is_active else _("Deactivated")


def _status_badge(record):
    return format_html('<span class="badge {}">{}</span>', "good" if record.is_active else "warn", _status(record))


class HouseholdTable(_ViewerTable):
    code = tables.Column(linkify=True, order_by=("building__code", "entrance", "floor", "room"),
                         footer=lambda table: _("Total") if table.total_area is not None else "")
    # The unit code already says building and floor: on a phone those columns give way.
    building = tables.Column(order_by=("building__code",), attrs={"td": {"class": "wide-only"},
                                                                  "th": {"class": "wide-only"}})
    floor = tables.Column(attrs={"td": {"class": "number wide-only"}, "th": {"class": "number wide-only"}})
    area = tables.Column(attrs={"td": {"class": "number"}, "th": {"class": "number"}, "tf": {"class": "number"}},
                         footer=lambda table: table.total_area)
    occupancy = tables.Column()
    residents = tables.Column(verbose_name=_("residents"), empty_values=(), orderable=False)
    phones = tables.Column(verbose_name=_("phone"), empty_values=(), orderable=False,
                           attrs={"td": {"class": "phone"}})
    is_active = tables.Column(verbose_name=_("status"), orderable=False)
    card_title, card_figure, card_fields = "code", "area", ("residents", "phones", "occupancy", "is_active")

    class Meta:
        model = Household
        fields = ("code", "residents", "phones", "area", "occupancy", "building", "floor", "is_active")
        order_by = ("code",)
        empty_text = _("No households match.")
        attrs = {"class": "register households"}

    def __init__(self, *args, total_area=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.total_area = total_area

    @staticmethod
    def _people(record):
        # record.active_residents comes from the view's Prefetch: no query per row.
        return record.active_residents

    def render_residents(self, record):
        return format_html_join("", "<span class=\"person\">{}</span>", ((r.name,) for r in self._people(record)))

    def value_residents(self, record):
        return "、".join(r.name for r in self._people(record))

    def render_phones(self, record):
        return format_html_join("", "<span class=\"person\">{}</span>",
                                ((r.phone_for(self.viewer) or "—",) for r in self._people(record)))

    def value_phones(self, record):
        return "、".join(r.phone_for(self.viewer) for r in self._people(record) if r.phone)

    def render_area(self, value):
        # Alone on a phone's card the figure needs its unit; the table has it in the header.
        return format_html('{}<span class="card-only"> m²</span>', value)

    def value_area(self, value):
        return value

    def render_is_active(self, record):
        return _status_badge(record)

    def value_is_active(self, record):
        return str(_status(record))


class ResidentTable(_ViewerTable):
    name = tables.Column()
    household = tables.Column(verbose_name=_("unit"), accessor="household__code",
                              linkify=lambda record: record.household.get_absolute_url(),
                              order_by=("household__building__code", "household__entrance", "household__floor",
                                        "household__room"))
    relation = tables.Column()
    phone = tables.Column(empty_values=(), orderable=False, attrs={"td": {"class": "phone"}})
    user = tables.Column(verbose_name=_("login"), empty_values=(), orderable=False)
    is_active = tables.Column(verbose_name=_("status"), orderable=False)
    edit = tables.TemplateColumn(template_name="estate/_resident_edit_link.html", verbose_name="", orderable=False,
                                 exclude_from_export=True)
    card_title, card_fields = "name", ("household", "relation", "phone", "is_active", "edit")

    class Meta:
        model = Resident
        fields = ("name", "household", "relation", "phone", "user", "is_active", "edit")
        order_by = ("household",)
        empty_text = _("No residents match.")
        attrs = {"class": "register residents"}

    def render_phone(self, record):
        return record.phone_for(self.viewer) or "—"

    def value_phone(self, record):
        return record.phone_for(self.viewer)

    def render_user(self, record):
        return _("yes") if record.user_id else _("no")

    def render_is_active(self, record):
        return _status_badge(record)

    def value_is_active(self, record):
        return str(_status(record))


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_response(table, export_format, filename):
    """The whole (filtered, sorted) table as CSV or XLSX, ready for Excel."""
    exporter = TableExport(export_format, table, dataset_kwargs={"title": filename})
    dataset = exporter.dataset
    for index, row in enumerate(list(dataset)):
        dataset[index] = tuple(_safe_cell(value) for value in row)
    content = exporter.export()
    if export_format == "csv":
        # Excel in China opens a CSV without a BOM as GBK and garbles every Chinese character.
        content = "\ufeff" + content
    response = HttpResponse(content, content_type=exporter.content_type())
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{export_format}")
    return response


def total_area(queryset):
    # SQLite hands back 261.5 for 261.50: areas have two places, so has their sum.
    return queryset.aggregate(total=exact_sum("area"))["total"]
