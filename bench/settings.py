"""Settings of `make bench` only: production settings, plus a bench URL conf and no rate limits.

Never used by the portal itself. What differs from config.settings.production, and why:
- ROOT_URLCONF = bench.urls: the portal's URLs plus /bench/floor/, a minimal view doing one INSERT
  (the framework's floor that intake throughput is compared with). The real config/urls.py never has it.
- Rate limits off: a load test sends every request from 127.0.0.1, so django-ratelimit
  (SUBMIT_RATE_LIMIT, TRACK_RATE_LIMIT) and the DRF throttles (anon, user, and the API submit's scoped
  "submit" rate) would refuse it after a few requests. RATELIMIT_ENABLE = False turns django-ratelimit
  off; the DRF rates are set to None (no limit). Nothing else about intake changes.
- Plain HTTP on loopback: SECURE_SSL_REDIRECT and the secure-cookie flags come from the environment
  (bench/bench_city.py sets them off), as production.py documents for a local smoke run.
"""
from config.settings.production import *  # noqa: F401,F403
from config.settings.production import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"

RATELIMIT_ENABLE = False
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "submit": None},
}
