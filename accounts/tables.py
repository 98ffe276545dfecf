import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.activity import verb_label
from accounts.activity_words import label_records
from accounts.models import ActivityRecord, Invitation, User
from accounts.services import may_print
from estate.cards import CardTable
from estate.wording import labelled


class _Table(CardTable):
    class Meta:
        attrs = {"class": "data"}


def _roles_html(roles):
    return format_html_join(" ", '<span class="badge">{}</span>', ((role,) for role in roles))


class UserTable(_Table):
    name = tables.Column(verbose_name=_("Name"), linkify=("accounts:user-detail", {"pk": tables.A("pk")}))
    username = tables.Column(verbose_name=_("Username"))
    roles = tables.Column(verbose_name=_("Roles"), accessor="current_roles", orderable=False, empty_values=())
    has_totp = tables.BooleanColumn(verbose_name=_("Two-factor"), yesno=(_("on"), "—"))
    last_login = tables.DateTimeColumn(verbose_name=_("Last login"), format="Y-m-d H:i")
    card_title, card_fields = "name", ("roles", "has_totp")

    class Meta(_Table.Meta):
        model = User
        fields = ["name", "username", "roles", "has_totp", "last_login"]
        order_by = ["name"]

    def render_name(self, record):
        return str(record)

    def render_roles(self, value):
        return _roles_html(value) if value else "—"


class InvitationTable(_Table):
    name = tables.Column(verbose_name=_("For"))
    kind = tables.Column(verbose_name=_("Kind"), accessor="role_kind", orderable=False, empty_values=())
    scope = tables.Column(verbose_name=_("Household or building"), empty_values=(), orderable=False)
    created_by = tables.Column(verbose_name=_("Issued by"))
    created_at = tables.DateTimeColumn(verbose_name=_("Issued"), format="Y-m-d H:i")
    expires_at = tables.DateTimeColumn(verbose_name=_("Valid until"), format="Y-m-d H:i")
    status = tables.Column(verbose_name=_("Status"), empty_values=(), orderable=False)
    card_title, card_figure, card_fields = "name", "status", ("kind", "scope", "expires_at")

    class Meta(_Table.Meta):
        model = Invitation
        fields = ["name", "kind", "scope", "created_by", "created_at", "expires_at", "status"]
        empty_text = _("No slip is waiting to be used. Invite each person who should log in.")

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def render_name(self, record, value):
        # Only whoever may issue a slip may print it again (accounts.services.may_print).
        if not may_print(self.viewer, record):
            return value
        return format_html('<a href="{}">{}</a>', reverse("accounts:invitation-slip", kwargs={"pk": record.pk}), value)

    def render_kind(self, record):
        return record.get_role_kind_display() if record.role_kind else _("New password")

    def render_scope(self, record):
        return record.scope or "—"

    def render_status(self, record):
        css = {"open": "good", "used": "", "revoked": "bad", "expired": "warn"}[record.status]
        return format_html('<span class="badge {}">{}</span>', css, record.status.label)


class ActivityTable(_Table):
    at = tables.DateTimeColumn(verbose_name=_("When"), format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name=_("Who"), default=_("system"))
    verb = tables.Column(verbose_name=_("What"))
    target = tables.Column(verbose_name=_("Object"), accessor="target_repr", empty_values=(), orderable=False)
    details = tables.Column(verbose_name=_("Details"), empty_values=(), orderable=False)
    source = tables.Column(verbose_name=_("From where"))
    # On a phone: what was done to what, its details, then who and when.
    card_title, card_fields = "verb", ("target", "details", "actor", "at")

    class Meta(_Table.Meta):
        model = ActivityRecord
        fields = ["at", "actor", "verb", "target", "details", "source"]
        empty_text = _("No records match.")
        order_by = ["-at"]

    def before_render(self, request):
        # The page's objects and people, looked up once for all its rows (accounts.activity_words).
        label_records(row.record for row in self.paginated_rows)

    def render_verb(self, value):
        return verb_label(value)

    def render_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")

    def render_target(self, record):
        if not record.target_type_id:
            return "—"
        kind = record.target_type.name
        if record.target_type.model_class() is User and record.target_id:
            link = reverse("accounts:user-detail", kwargs={"pk": record.target_id})
            return format_html('<a href="{}">{}</a> <span class="muted">{}</span>', link, record.target_label, kind)
        return format_html('{} <span class="muted">{}</span>', record.target_label, kind)

    def render_details(self, record):
        if not record.detail_pairs:
            return "—"
        return format_html_join("", '<span class="detail">{}</span>',
                                ((labelled(*pair),) for pair in record.detail_pairs))

    def render_source(self, value):
        return _("command line") if value == "command" else value
