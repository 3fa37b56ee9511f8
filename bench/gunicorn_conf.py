"""gunicorn settings of `make bench-intake` only (the command line sets bind, workers and worker class).

Each worker imports the whole URL conf (every view module, and what they import: jieba, rjieba, DRF,
drf-spectacular...) as soon as it starts, instead of on its first request. That first request otherwise
takes seconds, which is a deployment's one-off cost, not the steady state the benchmark measures.
"""


def post_worker_init(worker):
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — resolving the patterns imports every urls and views module
