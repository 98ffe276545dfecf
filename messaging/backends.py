"""Login backends that load the signed-in person with their roles and their inbox's unread count in one query.

Every page asks who is there, what roles they hold (the menu, every permission check) and how many unread
messages they have (the count beside the menu, templates/messaging/_inbox_link.html). Through the ORM that was
two queries whose building cost about 1.5 ms of CPU on every page, ten times what the database takes to answer
them; the statement below is written once per process from the models' own table and column names, and the
objects are made with `Model.from_db()` as the ORM makes them. Roles are still read on every request, so a role
ended or changed counts from the next page on. These are Django's and allauth's backends otherwise unchanged.
"""

from functools import cache, partial

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router

from accounts.models import Role
from messaging.models import Message


@cache
def _statement(alias):
    """SELECT the user's columns, the unread count and each active role's columns (NULLs without a role)."""
    users, quote = get_user_model(), connections[alias].ops.quote_name

    def columns(model, alias):
        return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    return (
        f"SELECT {columns(users, 'u')}, "
        f"(SELECT COUNT(*) FROM {quote(Message._meta.db_table)} m"
        f" WHERE m.{column(Message, 'recipient')} = u.{column(users, 'id')}"
        f" AND m.{column(Message, 'read_at')} IS NULL), "
        f"{columns(Role, 'r')} "
        f"FROM {quote(users._meta.db_table)} u "
        f"LEFT JOIN {quote(Role._meta.db_table)} r"
        f" ON r.{column(Role, 'user')} = u.{column(users, 'id')} AND r.{column(Role, 'ended_at')} IS NULL "
        f"WHERE u.{column(users, 'id')} = %s "
        # Role's own ordering (Meta.ordering), as `user.roles.filter(...)` gave it.
        f"ORDER BY r.{column(Role, 'granted_at')} DESC, r.{column(Role, 'id')} DESC"
    )


def signed_in_user(user_id):
    """The user with `inbox_unread` and `active_roles` filled in, or None."""
    users = get_user_model()
    alias = router.db_for_read(users)
    connection = connections[alias]
    try:
        user_id = users._meta.pk.to_python(user_id)
    except ValidationError:  # a session naming no valid id is a session of nobody
        return None
    with connection.cursor() as cursor:
        cursor.execute(_statement(alias), [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    user_fields = [field.attname for field in users._meta.concrete_fields]
    role_fields = [field.attname for field in Role._meta.concrete_fields]
    converters = [*_converters(alias, users), None, *_converters(alias, Role)]
    rows = [
        [value if to_python is None else to_python(value) for to_python, value in zip(converters, row, strict=True)]
        for row in rows
    ]
    first = rows[0]
    user = users.from_db(alias, user_fields, first[: len(user_fields)])
    user.inbox_unread = first[len(user_fields)]
    roles = []
    for row in rows:
        values = row[len(user_fields) + 1 :]
        if values[0] is not None:
            role = Role.from_db(alias, role_fields, values)
            role.user = user  # as a related manager gives it: no query for role.user
            roles.append(role)
    user.__dict__["active_roles"] = roles  # User.active_roles is a cached_property
    return user


@cache
def _converters(alias, model):
    """For each concrete field, the function that turns the database's value into Python's as the ORM does
    (SQLite hands back datetimes as text), or None where the value is fine as it comes."""
    connection = connections[alias]
    converters = []
    for field in model._meta.concrete_fields:
        expression = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters.append(partial(_convert, functions, expression, connection) if functions else None)
    return converters


def _convert(functions, expression, connection, value):
    for function in functions:
        value = function(value, expression, connection)
    return value


class _SignedIn:
    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_SignedIn, django_backends.ModelBackend):
    pass


class AuthenticationBackend(_SignedIn, allauth_backends.AuthenticationBackend):
    pass
