"""Production: only tightens base. Refuses to start with an insecure secret."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import FIELD_ENCRYPTION_KEYS, LOGGING, MIDDLEWARE, SECRET_KEY, env

DEBUG = False

if SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
if "bG9jYWwtZGV2LW9ubHktZmVybmV0LWtleS0wMDAwMDA=" in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set to your own Fernet keys in production "
        "(generate one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')."
    )

# gunicorn serves /static/ itself (collected at image build), so no separate file server.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /healthz is answered before SecurityMiddleware, so plain-HTTP load balancer probes work.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://*.{env('PLATFORM_DOMAIN', default='localhost')}"]
)
MARKETPLACE_URL_TEMPLATE = env("MARKETPLACE_URL_TEMPLATE", default="https://{domain}")
EMAIL_CONFIG = env.email("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)

# One JSON object per log line, for the log pipeline (LOG_FORMAT=plain to read by eye).
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
GRAPHQL_DEV_TOOLS = False  # no introspection or GraphiQL in production
# /metrics only with a scrape token (METRICS_TOKEN) in production.
METRICS_OPEN = False
