"""Tables that become a card a row on a phone (docs/ARCHITECTURE.md, "Lists on a phone").

A table declares what matters on a narrow screen: its title column, the one figure shown large beside it,
and the columns shown under them, each with its label. Every other column is left out on a phone and
stays in the table on a wide screen and on paper. The cards are CSS alone (static/css/app.css,
``table.cards``): the page sends one table, so a phone turned sideways or a printout loses nothing.
"""

import django_tables2 as tables


class CardTable(tables.Table):
    card_title = None  # the column that names the row
    card_figure = None  # the figure that matters most (an amount, an area), shown large beside the title
    card_fields = ()  # the columns shown, labelled, on the card under the title

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A copy for this table alone (django-tables2 copies Meta.attrs into each instance).
        self.attrs["class"] = " ".join(filter(None, [self.attrs.get("class"), "cards"]))

    def get_column_class_names(self, classes_set, bound_column):
        classes = super().get_column_class_names(classes_set, bound_column)
        return classes | {card_class(bound_column.name, title=self.card_title, figure=self.card_figure,
                                     fields=self.card_fields)}


def card_class(name, *, title, figure, fields):
    """The class that places a column on a phone's card: title, figure, a labelled line, or left out."""
    if name == title:
        return "card-title"
    if name == figure:
        return "card-figure"
    return "card-field" if name in fields else "card-off"
