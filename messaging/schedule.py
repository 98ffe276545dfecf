"""Messages' scheduled jobs (estate/background.py says what a job promises)."""

from messaging.jobs import keys_overdue_tell, repairs_late_tell
from messaging.services import deliveries_requeue

JOBS = [keys_overdue_tell, repairs_late_tell, deliveries_requeue]
