"""Background tasks of the repairs app (run by `manage.py db_worker`; see estate/background.py)."""

from django.tasks import task


@task()
def photo_process(pending_id):
    """Clean a photo received with a report or comment, and make its thumbnail (repairs.services.photo_finish)."""
    from repairs import services

    photo = services.photo_finish(pending_id=pending_id)
    return photo.pk if photo else None
