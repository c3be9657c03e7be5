"""Settings shared by every environment. Values come from the environment through `env`,
with defaults that work for a local run; prod.py only tightens them."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is optional; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-only-secret-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)

# Marketplaces live at <slug>.<PLATFORM_DOMAIN>; the operator's API at PLATFORM_DOMAIN itself.
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost").lower()
PLATFORM_NAME = env("PLATFORM_NAME", default="Rental Platform")
# The Host header is checked against the Domain table by the tenant middleware: an unknown
# host is a 404 there. Custom domains are data, not settings, so Django's own list stays open.
ALLOWED_HOSTS = ["*"]

# --- Apps: declared once, INSTALLED_APPS derives from them -------------------------------
SHARED_APPS = [
    "django_tenants",
    "shared_apps.core",
    "shared_apps.queues",
    "shared_apps.tenants",
    "shared_apps.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "django_htmx",
    "csp",
]
TENANT_APPS = [
    # Each schema keeps its own content types and admin log, so one marketplace's admin
    # history never shows in another's.
    "django.contrib.contenttypes",
    "django.contrib.admin",
    "tenant_apps.listings",
    "tenant_apps.bookings",
    "tenant_apps.payments",
    "tenant_apps.storefront",
    "tenant_apps.reviews",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    # Request id and user for every log line of the request (and the tasks it sends).
    "shared_apps.core.logging.RequestContextMiddleware",
    # Answers /healthz before tenant resolution, so a load balancer probing by IP gets it.
    "shared_apps.core.middleware.HealthCheckMiddleware",
    # The Content-Security-Policy of every answer (CONTENT_SECURITY_POLICY below); outside
    # the pages' middleware, so error pages and the suspended page carry it too.
    "csp.middleware.CSPMiddleware",
    "shared_apps.core.middleware.RejectNulBytesMiddleware",
    # Browsers get the branded 503 page of a suspended marketplace (API clients its JSON).
    "tenant_apps.storefront.middleware.SuspendedMarketplacePageMiddleware",
    "shared_apps.core.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx, for pages that answer an htmx request with a partial.
    "django_htmx.middleware.HtmxMiddleware",
    # Last: warm public listing answers (search, detail, calendar, anonymous GraphQL) as
    # stored bytes, after every middleware above and before URL resolution and the views.
    "tenant_apps.listings.middleware.ListingAnswerMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # platform/ holds the white-label templates; it is deliberately not a Python package.
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shared_apps.core.context_processors.branding",
                "tenant_apps.storefront.context_processors.storefront",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Content-Security-Policy (django-csp) --------------------------------------------------
# One policy for every HTML surface: storefront pages, the Django admin, Swagger UI and
# GraphiQL. No inline script anywhere: scripts come from this host's /static/ (htmx, the
# admin's, Swagger UI's from drf-spectacular-sidecar), and a page that truly needs an inline
# one marks it with the request's nonce (`nonce="{{ request.csp_nonce }}"`; the nonce joins
# the header only on pages that use it). Theme colours are a stylesheet (/theme.css), not
# inline CSS. Logos may live on any HTTPS host, so images are the one relaxed source.
# Exceptions are per view, with django-csp's decorators (csp_update): the Stripe checkout
# page (tenant_apps/storefront/security.py) and GraphiQL (shared_apps/core/graphql/view.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/rental"),
}
# django-tenants' backend, recycling a connection once it has served too many marketplaces.
DATABASES["default"]["ENGINE"] = "shared_apps.core.postgresql_backend"
# Persistent connections: a new connection per request costs about 4x in throughput.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parameters bound by the server, and a statement run 5 times on a connection prepared
# (psycopg 3), so PostgreSQL stops parsing and planning it: a hot marketplace's listing
# detail takes ~17% less time. Off by default: PostgreSQL plans a prepared statement again
# whenever the search_path changes, so a process serving many marketplaces in turn was
# slower with it (docs/benchmarks.md), and a transaction-pooling proxy can't keep them.
if env.bool("DB_PREPARED_STATEMENTS", default=False):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
# A PostgreSQL backend keeps the catalog entries of every schema it has queried (about
# 250 KB each, never freed): a connection that has queried more marketplace schemas than
# this is closed at the end of the request (or task), so a backend stays at about 20 MB
# (57 MB if requests touch every table) however many marketplaces one process serves
# (docs/scaling.md). 0: never recycle.
DATABASE_SCHEMAS_PER_CONNECTION = env.int("DATABASE_SCHEMAS_PER_CONNECTION", default=100)
# Marketplace schemas split into this many groups, with a connection per group in each
# process (opened when first needed), so each backend only holds its group's catalogs: for a
# process serving more marketplaces than the budget above (docs/scaling.md). 1: one
# connection for all.
DATABASE_CONNECTION_GROUPS = env.int("DATABASE_CONNECTION_GROUPS", default=1)
# One `SET search_path` per schema switch, not one per statement (django-tenants forgets the
# setting on every rollback, which is what reverts it in PostgreSQL).
TENANT_LIMIT_SET_CALLS = env.bool("TENANT_LIMIT_SET_CALLS", default=True)
# Each process caches the Host -> marketplace map; other processes see a domain added,
# removed or suspended at most this many seconds later (shared_apps.core.tenancy).
HOST_MAP_CHECK_SECONDS = env.float("HOST_MAP_CHECK_SECONDS", default=1.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions, throttles ---------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema name (django_tenants.cache.make_key), so one tenant never
        # reads another's entries; the prefix keeps deployments sharing a Redis apart.
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="rental"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
            # Redis down: a cache error is a miss (reads answer from the database), logged
            # once a minute (shared_apps.core.degraded) and reported by /healthz.
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
# Throttles read the same Redis through an alias that raises, so each scope chooses how to
# fail (shared_apps.core.throttling): credentials closed (503), the rest open.
CACHES["throttles"] = {
    **CACHES["default"],
    "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False},
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "shared_apps.core.degraded.cache"
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "default"
# Sessions and CSRF per marketplace host: host-only cookies (no Domain attribute), so a
# login at alpine.example.com is never sent to coastal.example.com (nor to the platform
# host); the session store's keys carry the schema name too (django_tenants.cache.make_key).
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "storefront-login"
LOGIN_REDIRECT_URL = "storefront-home"
LOGOUT_REDIRECT_URL = "storefront-home"

# --- Identity -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["shared_apps.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# One credential policy on every login surface (API, GraphQL, sign-up, storefront, both
# admins): failed sign-ins counted per identity and per client address across the whole
# platform; past a limit within the window, that identity (or address) is locked out for a
# while, the same way whether or not it exists (shared_apps.core.credentials, docs/security.md).
CREDENTIAL_FAILURES_PER_IDENTITY = env.int("CREDENTIAL_FAILURES_PER_IDENTITY", default=10)
CREDENTIAL_FAILURES_PER_ADDRESS = env.int("CREDENTIAL_FAILURES_PER_ADDRESS", default=100)
CREDENTIAL_FAILURE_WINDOW_SECONDS = env.int("CREDENTIAL_FAILURE_WINDOW_SECONDS", default=15 * 60)
CREDENTIAL_LOCKOUT_SECONDS = env.int("CREDENTIAL_LOCKOUT_SECONDS", default=15 * 60)

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "platform" / "static"]
# Where uploaded files are served from: this server in dev, a CDN or bucket in production.
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))

# --- Email ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"no-reply@{PLATFORM_DOMAIN}")

# --- Encryption of tenant secrets (payment keys) -------------------------------------------
# Comma-separated Fernet keys, newest first; older ones stay readable so keys can rotate.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["bG9jYWwtZGV2LW9ubHktZmVybmV0LWtleS0wMDAwMDA="]
)

# --- Payments ---------------------------------------------------------------------------------
# Each marketplace brings its own provider keys (stored encrypted, see FIELD_ENCRYPTION_KEYS).
# The API base addresses point the real libraries at a provider's test server or a local
# fake; by default Stripe's is the library's own (empty: not overridden) and Paystack's the
# public one.
PAYMENTS_STRIPE_API_BASE = env("PAYMENTS_STRIPE_API_BASE", default="") or None
PAYMENTS_PAYSTACK_API_BASE = env("PAYMENTS_PAYSTACK_API_BASE", default="https://api.paystack.co")
PAYMENTS_TIMEOUT_SECONDS = env.int("PAYMENTS_TIMEOUT_SECONDS", default=20)
PAYMENTS_NETWORK_RETRIES = env.int("PAYMENTS_NETWORK_RETRIES", default=2)
# How old a signed Stripe webhook may be (Stripe's own default).
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = env.int("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", default=300)

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shared_apps.accounts.authentication.TenantJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # orjson, writing what DRF's JSONRenderer writes (shared_apps.core.renderers).
    "DEFAULT_RENDERER_CLASSES": ["shared_apps.core.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shared_apps.core.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "shared_apps.core.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "shared_apps.core.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env("THROTTLE_LOGIN", default="10/min"),
        "signup": env("THROTTLE_SIGNUP", default="10/min"),
        "password": env("THROTTLE_PASSWORD", default="10/min"),
        "booking": env("THROTTLE_BOOKING", default="20/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# The largest page a client may ask for, in REST (`page_size`) and GraphQL (`first`) alike;
# more is a 400 in both. GRAPHQL_MAX_PAGE_SIZE is the variable's older name.
MAX_PAGE_SIZE = env.int("MAX_PAGE_SIZE", default=env.int("GRAPHQL_MAX_PAGE_SIZE", default=50))

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "SIGNING_KEY": SECRET_KEY,
    "ALGORITHM": "HS256",
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Rental platform API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PaymentMethodEnum": "tenant_apps.payments.constants.PaymentMethod",
        "OfflinePaymentMethodEnum": "tenant_apps.payments.constants.OFFLINE_METHODS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shared_apps.core.openapi.add_error_responses",
    ],
}

# Every line carries the marketplace, the request id and the user (shared_apps.core.logging);
# LOG_FORMAT=json writes one JSON object per line (the prod default), plain is for people.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "shared_apps.core.logging.LogContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(tenant)s %(request_id)s %(user)s] "
            "%(name)s: %(message)s"
        },
        "json": {"()": "shared_apps.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The port `make run` serves on (deploy/run-dev.sh); links to a local run carry it.
PORT = env.int("PORT", default=8000)
# Base URL of a marketplace in links we send (emails) and show (the operator API's `url`);
# {domain} is its primary domain.
MARKETPLACE_URL_TEMPLATE = env("MARKETPLACE_URL_TEMPLATE", default=f"http://{{domain}}:{PORT}")

# --- Celery: one queue per marketplace ----------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it ran, and a worker that dies mid-task gives it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = ("shared_apps.queues.routing.route_task",)
CELERY_TASK_DEFAULT_QUEUE = "platform"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Every key of this deployment's queues starts with the prefix, so deployments (or test
    # runs) sharing one Redis never take each other's tasks.
    "global_keyprefix": env("CELERY_KEY_PREFIX", default="rental:"),
    # One Redis list per queue (no priority sub-lists): BRPOP over many tenant queues stays
    # as short as it can be.
    "priority_steps": [0],
    # A task held by a worker that died comes back after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    # Publishing gives up within about a second when the broker is away (kombu's default
    # retries for many seconds inside the request); the outbox keeps the message and its
    # sweep publishes it later (shared_apps.core.outbox). Workers reconnect on their own
    # schedule (broker_connection_retry), which these don't shorten.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "global_keyprefix": env("CELERY_KEY_PREFIX", default="rental:"),
}
# How often each worker re-reads which marketplaces it serves, besides the broadcast that
# provisioning, suspension and deletion send at once.
QUEUE_SYNC_SECONDS = env.int("QUEUE_SYNC_SECONDS", default=60)
# How often a worker looks for marketplace queues that hold tasks, and how long it keeps
# consuming one after it was last seen busy (shared_apps.queues.worker).
QUEUE_DISCOVERY_SECONDS = env.float("QUEUE_DISCOVERY_SECONDS", default=0.5)
# The longest a following worker's BRPOP blocks: a queue woken by a publish (the first task
# of an idle marketplace) is named in the worker's next BRPOP, so even an idle worker takes
# it within this long. Each idle worker sends 1/QUEUE_POLL_SECONDS BRPOPs a second.
QUEUE_POLL_SECONDS = env.float("QUEUE_POLL_SECONDS", default=0.05)
QUEUE_IDLE_SECONDS = env.float("QUEUE_IDLE_SECONDS", default=30)
QUEUE_SWEEP_SECONDS = env.float("QUEUE_SWEEP_SECONDS", default=5)
# Spare, fully migrated schemas kept ready so provisioning only renames one
# (shared_apps.tenants.pool); refilled after each claim and on this schedule.
SCHEMA_POOL_SIZE = env.int("SCHEMA_POOL_SIZE", default=5)
SCHEMA_POOL_REFILL_SECONDS = env.int("SCHEMA_POOL_REFILL_SECONDS", default=300)
# Where a marketplace's archive goes when it is deleted (manage.py tenant_restore reads it).
TENANT_ARCHIVE_DIR = env("TENANT_ARCHIVE_DIR", default=str(BASE_DIR / ".data" / "archives"))
# Transactional outbox (shared_apps.core.outbox): the sweep republishes what a broker outage
# left unsent, once it is older than the grace (the commit's own relay had its chance).
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=30)
OUTBOX_RELAY_GRACE_SECONDS = env.int("OUTBOX_RELAY_GRACE_SECONDS", default=10)
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=7)
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {
        "task": "core.relay_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
    },
    "sync-worker-queues": {
        "task": "queues.sync_worker_queues",
        "schedule": QUEUE_SYNC_SECONDS,
    },
    "refill-schema-pool": {
        "task": "tenants.refill_schema_pool",
        "schedule": SCHEMA_POOL_REFILL_SECONDS,
    },
    "purge-credential-failures": {
        "task": "core.purge_credential_failures",
        "schedule": 3600,
    },
}
# Beat sends every periodic job once as it starts (config/celery.py), so a local run does at
# once what fell due while it was stopped; deployments with a long-lived beat needn't.
BEAT_CATCH_UP_AT_START = env.bool("BEAT_CATCH_UP_AT_START", default=False)
# Periodic marketplace jobs: task name -> seconds between runs. Beat sends one platform task
# per entry, which sends the job into every active marketplace's own queue.
TENANT_PERIODIC_TASKS: dict[str, int] = {
    "bookings.expire_requests": env.int("EXPIRE_REQUESTS_SECONDS", default=300),
    "bookings.complete_stays": env.int("COMPLETE_STAYS_SECONDS", default=3600),
}

# Search, detail and calendar answers cached in Redis per marketplace (tenant_apps.listings).
LISTINGS_CACHE = env.bool("LISTINGS_CACHE", default=True)
# Each process serves a warm answer it holds without asking Redis while it hears the other
# processes' bump notices, or, when it doesn't, while the versions the answer depends on
# were read less than this long ago (docs/decisions/0028). 0: every warm answer is checked
# in Redis.
LISTINGS_VERSION_TRUST_MS = env.int("LISTINGS_VERSION_TRUST_MS", default=50)
# How many answers each process holds for that (about 20 KB each).
LISTINGS_LOCAL_ANSWERS = env.int("LISTINGS_LOCAL_ANSWERS", default=1000)

# --- GraphQL (/graphql/ on marketplace hosts; config/graphql.py) ----------------------------
# No middleware: graphene-django adds its debug middleware (SQL capture on every field)
# when DEBUG is on, which would make dev timings meaningless.
GRAPHENE = {"SCHEMA": "config.graphql.schema", "ATOMIC_MUTATIONS": False, "MIDDLEWARE": []}
# Limits checked before any resolver runs, so a hostile query can't take a worker down.
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=8)
GRAPHQL_MAX_QUERY_BYTES = env.int("GRAPHQL_MAX_QUERY_BYTES", default=20000)
# Parsing stops after this many tokens (names, punctuation, values): the pure-Python parser
# needs ~20 ms per 1,000 tokens, and the largest real query is a few hundred.
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", default=1000)
# The cost budget (shared_apps/core/graphql/cost.py), checked right after parsing.
GRAPHQL_MAX_FIELDS = env.int("GRAPHQL_MAX_FIELDS", default=250)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=20)
GRAPHQL_MAX_REPEATED_FIELDS = env.int("GRAPHQL_MAX_REPEATED_FIELDS", default=10)
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=1000)
# Introspection and the GraphiQL page: development only (dev.py turns them on).
GRAPHQL_DEV_TOOLS = env.bool("GRAPHQL_DEV_TOOLS", default=False)

# --- Running it in production (issue 18): metrics, Celery events, scheduled backups --------
# Prometheus metrics at /metrics on any host (shared_apps.core.metrics): the middleware
# comes first so it times everything after it; the cache client times Redis calls.
MIDDLEWARE.insert(0, "shared_apps.core.metrics.middleware.MetricsMiddleware")
CACHES["default"]["OPTIONS"]["CLIENT_CLASS"] = "shared_apps.core.metrics.cache.InstrumentedClient"
# Scrapers send `Authorization: Bearer <METRICS_TOKEN>`; with no token the page is open
# here and closed in production (prod.py).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_OPEN = True
# Marketplace queues named in rental_queue_depth: only the deepest few (bounded labels).
METRICS_TOP_QUEUES = env.int("METRICS_TOP_QUEUES", default=10)
# Task events for Flower (`celery -A config flower`): off by default, they cost a message
# per task state change.
CELERY_WORKER_SEND_TASK_EVENTS = env.bool("CELERY_TASK_EVENTS", default=False)
CELERY_TASK_SEND_SENT_EVENT = CELERY_WORKER_SEND_TASK_EVENTS
# Scheduled backups (shared_apps.tenants.scheduled_backups): every active marketplace on
# BACKUP_SCHEDULE (seconds, or a crontab such as "0 3 * * *"), into BACKUP_STORAGE (a
# local folder by default; S3-compatible: BACKUP_STORAGE_BACKEND=storages.backends.s3.S3Storage
# with BACKUP_S3_BUCKET, BACKUP_S3_ENDPOINT_URL and the AWS_* credentials of boto3), keeping
# the newest BACKUP_RETENTION archives per marketplace.
BACKUP_SCHEDULE = env("BACKUP_SCHEDULE", default="30 2 * * *")
BACKUP_RETENTION = env.int("BACKUP_RETENTION", default=14)
BACKUP_STORAGE_BACKEND = env(
    "BACKUP_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
BACKUP_STORAGE = {
    "BACKEND": BACKUP_STORAGE_BACKEND,
    "OPTIONS": (
        {
            "bucket_name": env("BACKUP_S3_BUCKET", default=""),
            "endpoint_url": env("BACKUP_S3_ENDPOINT_URL", default=None),
            "location": env("BACKUP_S3_PREFIX", default="marketplace-backups"),
            "default_acl": "private",
            "file_overwrite": False,
        }
        if BACKUP_STORAGE_BACKEND.endswith("S3Storage")
        else {"location": env("BACKUP_DIR", default=str(BASE_DIR / ".data" / "backups"))}
    ),
}
CELERY_IMPORTS = ["shared_apps.tenants.scheduled_backups"]
