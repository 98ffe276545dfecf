import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.activity import verb_label
from accounts.models import ActivityRecord, Role, User


class DateInput(forms.DateInput):
    input_type = "date"


class ActivityFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(label=_("Who"), queryset=User.objects.order_by("name", "username"),
                                             empty_label=_("Anyone"))
    verb = django_filters.ChoiceFilter(label=_("What"), empty_label=_("Anything"))
    target_type = django_filters.ModelChoiceFilter(label=_("Kind of object"), queryset=ContentType.objects.none(),
                                                   empty_label=_("Any"))
    since = django_filters.DateFilter(label=_("From date"), field_name="at", lookup_expr="date__gte", widget=DateInput)
    until = django_filters.DateFilter(label=_("To date"), field_name="at", lookup_expr="date__lte", widget=DateInput)

    class Meta:
        model = ActivityRecord
        fields = ["actor", "verb", "target_type", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only what the log holds: one query each, whatever its length.
        verbs = ActivityRecord.objects.order_by("verb").values_list("verb", flat=True).distinct()
        self.filters["verb"].extra["choices"] = [(verb, verb_label(verb)) for verb in verbs]
        used_types = ActivityRecord.objects.filter(target_type__isnull=False).values("target_type")
        self.filters["target_type"].queryset = ContentType.objects.filter(pk__in=used_types)


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or username"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.Kind.choices, method="with_role",
                                       empty_label=_("Any"))

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(username__icontains=value)) if value else queryset

    def with_role(self, queryset, name, value):
        return queryset.filter(roles__kind=value, roles__ended_at__isnull=True).distinct()
