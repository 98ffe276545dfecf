"""The register's list filters (django-filter), read from the query string."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from estate import normalise
from estate.models import Building, Household, Resident

ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Deactivated")), ("all", _("All"))]


def _active(queryset, name, value):
    if value == "all":
        return queryset
    return queryset.filter(is_active=value != "no")


class RegisterFilter(django_filters.FilterSet):
    """Shared by both lists: a search box and active/deactivated (active unless asked)."""

    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}))
    active = django_filters.ChoiceFilter(label=_("Status"), choices=ACTIVE_CHOICES, empty_label=None,
                                         method=_active)

    def __init__(self, data=None, *args, viewer, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("active", "yes")
        super().__init__(data, *args, **kwargs)
        self.viewer = viewer

    def _phone_q(self, value, path):
        """Phone search only for those who see whole numbers: a masked viewer could otherwise
        find the hidden digits by searching for them one at a time."""
        digits = normalise.phone_search(value)
        if digits and self.viewer.is_committee:
            return Q(**{f"{path}phone__contains": digits})
        return Q(pk__in=[])


class HouseholdFilter(RegisterFilter):
    """By building, occupancy, status; search by unit, resident name or phone.

    Arrears: when the ledger lands it adds a `with_balance()` annotation to the households'
    queryset, and an "in arrears" BooleanFilter belongs here, next to occupancy.
    """

    building = django_filters.ModelChoiceFilter(label=_("building"), queryset=Building.objects.none(),
                                                empty_label=_("All buildings"))
    occupancy = django_filters.ChoiceFilter(label=_("occupancy"), choices=Household.Occupancy.choices,
                                            empty_label=_("Any"))

    class Meta:
        model = Household
        fields = ["q", "building", "occupancy", "active"]

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["building"].queryset = buildings

    def search(self, queryset, name, value):
        value = normalise.text(value)
        if not value:
            return queryset
        residents = Resident.objects.filter(is_active=True).filter(
            Q(name__icontains=normalise.person_name(value)) | self._phone_q(value, "")
        )
        return queryset.filter(Q(code__icontains=value.replace(" ", "")) | Q(pk__in=residents.values("household_id")))


class ResidentFilter(RegisterFilter):
    building = django_filters.ModelChoiceFilter(label=_("building"), field_name="household__building",
                                                queryset=Building.objects.all(), empty_label=_("All buildings"))
    relation = django_filters.ChoiceFilter(label=_("relation"), choices=Resident.Relation.choices,
                                           empty_label=_("Any"))

    class Meta:
        model = Resident
        fields = ["q", "building", "relation", "active"]

    def search(self, queryset, name, value):
        value = normalise.text(value)
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=normalise.person_name(value))
            | Q(household__code__icontains=value.replace(" ", ""))
            | self._phone_q(value, "")
        )
