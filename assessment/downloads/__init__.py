"""Background downloads: long exports built by a worker, with a progress bar and a link when done.

One piece for every kind of file: `kinds.py` says what each kind accepts, who may have it and how it is
built; `services.py` starts, runs (in the Celery task) and sweeps jobs; `views.py` shows a job's progress
and serves its file to its owner. It lives in assessment, next to the reports it exports, because
assessment already depends on offices (whose posters it zips) and offices must not depend on assessment.
"""
