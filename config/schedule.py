"""Every periodic task of the portal, in one place. Beat reads this; nothing else schedules.

Run exactly one beat in a deployment: two beats send every periodic task twice.
"""
from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Nothing lost: petitions whose routing task never ran (broker down at submit, worker killed).
    "petitions-route-sweep": {"task": "petitions.tasks.petition_route_sweep_task",
                              "schedule": timedelta(minutes=1)},
    # 12345 outbox retries are scheduled in the database (next_attempt_at); this picks up what is due.
    "hotline-outbox-sweep": {"task": "petitions.tasks.hotline_outbox_sweep_task",
                             "schedule": timedelta(seconds=15)},
    # Answers left unrated past RATING_WINDOW_DAYS close as "not rated".
    "petitions-close-unrated": {"task": "petitions.tasks.petitions_close_unrated_task",
                                "schedule": crontab(minute=10)},
    # Blue/yellow/red flags, red cards and reminders; expires so a backlog never stacks sweeps.
    "assessment-sla-sweep": {"task": "assessment.tasks.sla_sweep_task", "schedule": timedelta(minutes=1),
                             "options": {"expires": 50}},
    # Scorecards of the running periods nightly; the previous month and quarter once more when they end.
    "assessment-scorecards-month": {"task": "assessment.tasks.scorecards_compute_task",
                                    "schedule": crontab(hour=1, minute=10), "kwargs": {"period": "month"}},
    "assessment-scorecards-quarter": {"task": "assessment.tasks.scorecards_compute_task",
                                      "schedule": crontab(hour=1, minute=20), "kwargs": {"period": "quarter"}},
    "assessment-scorecards-year": {"task": "assessment.tasks.scorecards_compute_task",
                                   "schedule": crontab(hour=1, minute=30), "kwargs": {"period": "year"}},
    "assessment-scorecards-close-month": {"task": "assessment.tasks.scorecards_compute_task",
                                          "schedule": crontab(hour=0, minute=40, day_of_month=1),
                                          "kwargs": {"period": "month", "previous": True}},
    "assessment-scorecards-close-quarter": {"task": "assessment.tasks.scorecards_compute_task",
                                            "schedule": crontab(hour=0, minute=50, day_of_month=1,
                                                                month_of_year="1,4,7,10"),
                                            "kwargs": {"period": "quarter", "previous": True}},
    # A worker that is up but consumes nothing (celery#8030, #9054) stops this; /healthz?deep=1 reports its age.
    "worker-heartbeat": {"task": "config.tasks.worker_heartbeat", "schedule": timedelta(seconds=30),
                         "options": {"expires": 25}},
    # Hot words: extract new petitions, re-rank every window and scope, notify sectors of new top terms.
    "petitions-hotwords-refresh": {"task": "petitions.tasks.hotwords_refresh_task",
                                   "schedule": timedelta(minutes=10), "options": {"expires": 540}},
    # PostgreSQL: the petitions' pages all-visible again after the sweep's and the workflow's updates, so that the
    # reports keep reading a year of petitions from an index alone (petitions/maintenance.py).
    "petitions-vacuum": {"task": "petitions.tasks.petitions_vacuum_task", "schedule": timedelta(minutes=15),
                         "options": {"expires": 600}},
    # Background downloads (exports, poster zips): delete those a day old with their files, queue lost ones again.
    "assessment-downloads-sweep": {"task": "assessment.tasks.download_jobs_sweep_task",
                                   "schedule": timedelta(minutes=5), "options": {"expires": 240}},
}
