from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext

from accounts.models import display_name
from ledger.models import Transaction
from ledger.templatetags.money import money

register = template.Library()

# One row of the journal page. The rows are put together here rather than in the template: fifty rows
# of seven cells through the template engine cost as much as the rest of the page, and the 50-row ledger
# page has 15 ms (docs/ARCHITECTURE.md, "Budgets"). Each value is escaped by format_html.
# On a phone each row is a card (table.cards in app.css): the memo and the amount first, then number,
# date and kind with their labels; the column labels are put into the row's pattern once per page.
ROW = ('<tr><td class="card-field" data-label="%(seq)s"><a href="{}/">#{}</a></td>'
       '<td class="nowrap card-field" data-label="%(date)s">{}</td>'
       '<td class="card-field" data-label="%(kind)s">{}{}</td>'
       '<td class="card-title">{}</td><td class="money card-figure">{}</td><td class="card-off">{}</td></tr>')
REVERSED = ' <span class="badge bad">{} #{}</span>'


@register.simple_tag
def journal_rows(rows):
    """The <tr> of each row of ledger.views_committee.journal (plain values from the query).

    The link is relative to the journal's own address, /ledger/journal/<pk>/: the same as
    {% url 'ledger:transaction' %} without resolving it fifty times."""
    reversed_label = gettext("Reversed")
    labels = {"seq": gettext("No."), "date": gettext("Date"), "kind": gettext("Kind")}
    row = ROW % {key: escape(label).replace("{", "{{").replace("}", "}}") for key, label in labels.items()}
    return format_html_join("", row, (
        (row["pk"], row["seq"], row["date"].isoformat(), Transaction.Kind(row["kind"]).label,
         format_html(REVERSED, reversed_label, row["reversed_by"]) if row["reversed_by"] else "",
         row["memo"], money(row["amount"]),
         display_name(row["created_by__name"], row["created_by__username"]) or "—")
        for row in rows
    ))
