"""The ticket list's filters (django-filter), read from the query string."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estate.widgets import Select
from repairs.models import Ticket

STATE_CHOICES = [
    ("open", pgettext_lazy("repair tickets", "Open")),
    ("done", _("Awaiting confirmation")),
    ("finished", _("Finished")),
    ("rejected", _("Rejected")),
    ("all", _("All")),
]
STATES = {
    "open": Ticket.OPEN,
    "done": (Ticket.Status.DONE,),
    "finished": Ticket.FINISHED,
    "rejected": (Ticket.Status.REJECTED,),
}
MINE_CHOICES = [("reported", _("Reported by me or my household")), ("assigned", _("Assigned to me"))]


class TicketFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("Status"), choices=STATE_CHOICES, empty_label=None,
                                        method="filter_state", widget=Select)
    category = django_filters.ChoiceFilter(label=_("What is broken"), choices=Ticket.Category.choices,
                                           empty_label=_("Any"), widget=Select)
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Ticket.Urgency.choices, empty_label=_("Any"),
                                          widget=Select)
    mine = django_filters.ChoiceFilter(label=_("Whose"), choices=MINE_CHOICES, empty_label=_("Everyone's"),
                                       method="filter_mine", widget=Select)

    class Meta:
        model = Ticket
        fields = ["state", "category", "urgency", "mine"]

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", "open")
        super().__init__(data, *args, **kwargs)
        self.user = user

    def filter_state(self, queryset, name, value):
        return queryset.filter(status__in=STATES[value]) if value in STATES else queryset

    def filter_mine(self, queryset, name, value):
        if value == "reported":
            return queryset.filter(Q(reported_by=self.user) | Q(household_id__in=self.user.household_ids))
        if value == "assigned":
            return queryset.filter(volunteer__user=self.user)
        return queryset
