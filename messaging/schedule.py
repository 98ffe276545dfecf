"""Messages' scheduled jobs (estate/background.py says what a job promises).

Jobs about keys and repairs live in those apps' schedule.py; messaging imports no other domain app.
"""

from messaging.services import deliveries_requeue

JOBS = [deliveries_requeue]
