from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from accounts.models import display_name
from ledger.models import Transaction
from ledger.templatetags.money import money

register = template.Library()

# One row of the journal page. The rows are put together here rather than in the template: fifty rows
# of seven cells through the template engine cost as much as the rest of the page, and the 50-row ledger
# page has 15 ms (docs/ARCHITECTURE.md, "Budgets"). Each value is escaped by format_html.
ROW = ('<tr><td><a href="{}/">#{}</a></td><td class="nowrap">{}</td><td>{}{}</td><td>{}</td>'
       '<td class="money">{}</td><td>{}</td></tr>')
REVERSED = ' <span class="badge bad">{} #{}</span>'


@register.simple_tag
def journal_rows(rows):
    """The <tr> of each row of ledger.views_committee.journal (plain values from the query).

    The link is relative to the journal's own address, /ledger/journal/<pk>/: the same as
    {% url 'ledger:transaction' %} without resolving it fifty times."""
    reversed_label = gettext("Reversed")
    return format_html_join("", ROW, (
        (row["pk"], row["seq"], row["date"].isoformat(), Transaction.Kind(row["kind"]).label,
         format_html(REVERSED, reversed_label, row["reversed_by"]) if row["reversed_by"] else "",
         row["memo"], money(row["amount"]),
         display_name(row["created_by__name"], row["created_by__username"]) or "—")
        for row in rows
    ))
