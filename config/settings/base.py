"""Settings shared by every environment; everything that varies comes from the environment.

With nothing set the portal runs on SQLite and an embedded (filesystem) Celery broker under var/,
so that `make run` needs no server. Production and CI set DATABASE_URL and CELERY_BROKER_URL.
"""
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, the embedded broker and media live here on a fresh clone

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me-in-production-0123456789")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, found by FORM_RENDERER below
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "qr_code",
    "axes",
    "csp",
    "offices",
    "liaison",
    "petitions",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.RejectNulBytesMiddleware",  # a NUL in a parameter: 400, not a PostgreSQL error
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",  # OperationalError -> a clear 503 page or JSON
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its response
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.context_processors.workspace",
            ],
        },
    },
]
# Form widgets render through TEMPLATES, so that templates/django/forms/widgets/select.html (the same markup,
# options written in place instead of included one by one) replaces Django's.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# A form without its security token: a page in the user's language instead of Django's technical one.
CSRF_FAILURE_VIEW = "config.csrf.csrf_failure"

# --- database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front, so two writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # The petition's covering index (petitions/migrations/0008) is a plain index on SQLite, which has no
    # INCLUDE columns; PostgreSQL, where the reports' index-only scan matters, gets the covering one.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Intake's statement is prepared once per connection (config/prepared.py); off behind a pooler in transaction mode.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Fails open (config/cache.py): Redis down means cache misses, never a failed submission.
    CACHES = {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours; then the account may try again
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind nginx the client address is the last X-Forwarded-For hop nginx appended (AXES_BEHIND_PROXY=true).
AXES_BEHIND_PROXY = env.bool("AXES_BEHIND_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"
LOGIN_URL = "login"  # /accounts/login/
LOGOUT_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL = "/dashboard/"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are private (config/private_media.py): nothing is served at MEDIA_URL. Each file goes
# through a view that checks who asks; behind nginx that view answers with an X-Accel-Redirect to this
# `internal` location (deploy/nginx/servicedesk.conf). Empty: Django sends the file itself (development).
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Report exports and poster zips that workers build (assessment/downloads/), kept a day and served only to
# their owner by /downloads/<id>/file/. With several machines it must be shared by web and workers.
DOWNLOADS_ROOT = Path(env.str("DOWNLOADS_ROOT", default=str(VAR_DIR / "downloads")))

# --- Celery ---------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.2,
    }
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'celery-results'}")
else:
    if CELERY_BROKER_URL.startswith("redis://"):
        CELERY_BROKER_TRANSPORT = "config.broker:Transport"  # one redis-py client per channel: config/broker.py
    # Publishing to a dead broker must fail fast, so a citizen's submission is answered anyway
    # (the petition is already committed and a sweep re-queues it).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                       "socket_timeout": 2, "socket_connect_timeout": 1}
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or CELERY_BROKER_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless this is set; a
# new PostgreSQL connection per task was most of a short task's time (10-20 ms: a routing task finding its
# petition routed already runs one 1 ms query). Set, it closes them every 1000 tasks only; between tasks
# config/celery_app.py closes them as Django does between requests (on errors, or after CONN_MAX_AGE).
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic task is declared in config/schedule.py, nowhere else.
from config.schedule import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402

# --- DRF ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "petitions.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle",
                                 "rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="120/min"),
                               "user": env.str("API_USER_RATE", default="600/min"),
                               "submit": env.str("SUBMIT_RATE_LIMIT", default="10/h")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Party-representative service desk API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema documents token authentication; the browser's session works too but is not a client's way in.
    "AUTHENTICATION_WHITELIST": ["rest_framework.authentication.TokenAuthentication"],
    "ENUM_NAME_OVERRIDES": {
        "PetitionStatusEnum": "petitions.models.Status", "FlagEnum": "offices.choices.Flag",
        "StudioKindEnum": "offices.models.Studio.Kind", "ProposalKindEnum": "liaison.models.Proposal.Kind",
        "ProposalStatusEnum": "liaison.models.Proposal.Status", "RegionKindEnum": "offices.models.Region.Kind",
        "RedCardStatusEnum": "assessment.models.RedCard.Status",
        "TopicStatusEnum": "liaison.models.ResearchTopic.Status",
        "AssignmentStatusEnum": "liaison.models.AssignmentReport.Status",
        "ClaimStatusEnum": "liaison.models.ResearchClaim.Status",
        "ActivityKindEnum": "offices.models.StudioActivity.Kind",
        "OutcomeMetricEnum": "offices.models.StudioOutcome.Metric",
    },
}

# --- the 12345 citizen hotline ---------------------------------------------------------------
HOTLINE_URL = env.str("HOTLINE_URL", default="http://127.0.0.1:8765/api/petitions")
HOTLINE_SECRET = env.str("HOTLINE_SECRET", default="dev-hotline-secret")

# --- domain knobs -----------------------------------------------------------------------------
PUBLIC_COUNTERS_TTL = env.int("PUBLIC_COUNTERS_TTL", default=10)
# Routing (petitions/routing.py): loop 3 once a township sends ROUTING_SIMILAR_THRESHOLD similar petitions
# (this one included) within ROUTING_SIMILAR_DAYS days (similar: the hot words' grouping, petitions/hotwords/
# similar.py); routing accepts and dispatches by itself unless ROUTING_AUTO_DISPATCH is off (then it only suggests).
ROUTING_SIMILAR_THRESHOLD = env.int("ROUTING_SIMILAR_THRESHOLD", default=5)
ROUTING_SIMILAR_DAYS = env.int("ROUTING_SIMILAR_DAYS", default=7)
ROUTING_AUTO_DISPATCH = env.bool("ROUTING_AUTO_DISPATCH", default=True)
# How many petitions one routing task routes together at most: its own and those waiting (SKIP LOCKED).
ROUTING_BATCH = env.int("ROUTING_BATCH", default=100)
# With a Redis broker, one routing task waits in the broker at a time (petitions/routing_queue.py); its mark expires
# after this long, in case the task is lost with the broker.
ROUTING_QUEUED_SECONDS = env.int("ROUTING_QUEUED_SECONDS", default=30)
# 12345 outbox: retry after base * 2^(attempts-1) seconds, capped; each POST times out after this long.
HOTLINE_RETRY_BASE_SECONDS = env.int("HOTLINE_RETRY_BASE_SECONDS", default=30)
HOTLINE_RETRY_MAX_SECONDS = env.int("HOTLINE_RETRY_MAX_SECONDS", default=1800)
HOTLINE_TIMEOUT_SECONDS = env.float("HOTLINE_TIMEOUT_SECONDS", default=5.0)
# Citizens rate (or reopen) a request for this many days after its answer; then it closes as "not rated".
RATING_WINDOW_DAYS = env.int("RATING_WINDOW_DAYS", default=15)
# django-ratelimit rates per client address: request form posts, and wrong tracking code/digits tries.
SUBMIT_RATE_LIMIT = env.str("SUBMIT_RATE_LIMIT", default="10/h")
TRACK_RATE_LIMIT = env.str("TRACK_RATE_LIMIT", default="20/10m")
# A CJK font file for PNG posters; empty: the first of a list of known system paths (offices/posters.py).
POSTER_FONT = env.str("POSTER_FONT", default="")
# Assessment: red cards are due for rectification this many working days after they are issued; a studio
# with no activity for this many days is marked on the operation report; notifications may also go by e-mail.
SLA_RECTIFY_WORKDAYS = env.int("SLA_RECTIFY_WORKDAYS", default=5)
# The SLA sweep's batches run on this many database connections at once (PostgreSQL; docs/assessment.md).
SLA_SWEEP_JOBS = env.int("SLA_SWEEP_JOBS", default=2)
# A sweep that changed at least this many flags queues the petitions table's VACUUM at once (petitions/maintenance.py).
SLA_SWEEP_VACUUM_AFTER = env.int("SLA_SWEEP_VACUUM_AFTER", default=10_000)
REPORTS_INACTIVE_DAYS = env.int("REPORTS_INACTIVE_DAYS", default=30)
# The overview, team, position and operation reports share a view's figures for this many seconds (each page
# says when they were computed; assessment/reports/snapshots.py); 0 computes them for every view.
REPORTS_SNAPSHOT_SECONDS = env.int("REPORTS_SNAPSHOT_SECONDS", default=300)
# API (config/api_router.py): per anonymous client and per user, in REST_FRAMEWORK above (API_ANON_RATE,
# API_USER_RATE; a petition submitted through the API counts against SUBMIT_RATE_LIMIT). Open311: GET
# requests.json covers this many days by default and returns at most OPEN311_MAX_RESULTS requests.
OPEN311_DEFAULT_DAYS = env.int("OPEN311_DEFAULT_DAYS", default=90)
OPEN311_MAX_RESULTS = env.int("OPEN311_MAX_RESULTS", default=1000)
OPEN311_CONTACT = env.str("OPEN311_CONTACT", default="")
NOTIFICATIONS_BY_EMAIL = env.bool("NOTIFICATIONS_BY_EMAIL", default=False)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")

# --- Content-Security-Policy (django-csp): our own files only, no inline script or style ----------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
