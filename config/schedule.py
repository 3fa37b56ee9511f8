"""Every periodic task of the portal, in one place. Beat reads this; nothing else schedules."""
from datetime import timedelta

BEAT_SCHEDULE = {
    "heartbeat": {"task": "config.tasks.heartbeat", "schedule": timedelta(minutes=1)},
}
