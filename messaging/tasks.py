"""Background tasks of messages (Django's tasks framework, the database queue: docs/ARCHITECTURE.md)."""

from django.tasks import task

from messaging.services import delivery_attempt


@task()
def deliver(delivery_id):
    return delivery_attempt(delivery_id)
