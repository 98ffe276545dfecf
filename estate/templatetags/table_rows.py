"""The body of a django-tables2 table, put together once per page (templates/_table.html).

Through the template engine every cell of a table asked its column for its attributes again and went through a
dozen template nodes: about 0.1 ms a cell, so 56 households of eight columns cost 45 ms of CPU. Here each
column's <td> attributes and label are made once per page, unless the column computes them from the row (a
callable in its attrs), and each cell is django-tables2's own (`BoundRow.get_cell`: the accessor, choices'
display, defaults, render_FOO, linkify) except that which arguments a column's render method takes is asked
once per page instead of once per cell (`inspect.signature`, a third of the cost); each cell is localised and
escaped as `{{ cell }}`, `{{ cell|localize }}` or `{{ cell|unlocalize }}` would.
"""

from functools import partial

from django import template
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django_tables2.utils import signature

register = template.Library()


def _computes_attrs(column):
    """True when the column's <td> attributes depend on the row (django-tables2 calls them per record)."""
    attrs = {**column._table.attrs, **column.column.attrs}
    return any(callable(value) for value in attrs.get("td", attrs.get("cell", {})).values())


def _shown(value, column, context):
    if column.localize is None:
        return render_value_in_context(value, context)
    return conditional_escape(str(formats.localize(value, use_l10n=bool(column.localize))))


def _renderer(column):
    """What `BoundRow._call_render` does for a cell of `column`, with the render method's arguments known."""
    args, catch_all = signature(column.render)

    def render(row, bound_column, value=None):
        offered = row._optional_cell_arguments(bound_column, value)
        if catch_all:
            content = column.render(**offered)
        elif all(arg in offered for arg in args):
            content = column.render(**{arg: offered[arg] for arg in args})
        else:
            content = None
        return column.link(content, **offered) if column.link else content

    return render


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The <tr> of each row of the table's page; the empty text when there is none."""
    columns = list(table.columns)
    fixed = {column.name: column.attrs["td"].as_html() for column in columns if not _computes_attrs(column)}
    labels = {column.name: escape(column.header) for column in columns}
    renderers = {column.name: _renderer(column) for column in columns}
    lines = []
    for row in table.paginated_rows:
        cells = []
        for column in columns:
            # BoundRow.get_cell(name), with the column at hand and its renderer
            value = row._get_and_render_with(column, partial(renderers[column.name], row), column.default)
            attrs = fixed.get(column.name)
            if attrs is None:  # as BoundRow.items() does, for the column's callables
                column.current_value, column.current_record = value, row.record
                attrs = column.attrs["td"].as_html()
            cells.append(f'<td {attrs} data-label="{labels[column.name]}">{_shown(value, column, context)}</td>')
        lines.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
    if not lines:
        empty = table.empty_text or gettext("Nothing to show.")
        lines.append(f'<tr><td class="empty" colspan="{len(columns)}">{escape(empty)}</td></tr>')
    return mark_safe("\n".join(lines))
