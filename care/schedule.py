"""Care's scheduled jobs (estate/background.py says what a job promises)."""

from care.services import agreements_unpause, alerts_escalate, alerts_raise
from care.visits import visits_tell

# Pauses end before the day's deadlines are looked at; alerts are raised before they escalate.
JOBS = [agreements_unpause, alerts_raise, alerts_escalate, visits_tell]
