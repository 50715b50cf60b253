"""Solimob settings: one file, driven by the environment.

With nothing set, the project runs embedded: SQLite, eager Celery, console e-mail and SMS,
local-memory cache, online payment off. Each variable below switches a real part on.
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("SOLIMOB_TESTING", default=False)

# Build-time commands that never sign anything may run without the production secret
# (a CI image building static files, a migrations check); serving never does.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "collectstatic", "compilemessages"}
KEYLESS = sys.argv[0].endswith("manage.py") and sys.argv[1:2] and sys.argv[1] in KEYLESS_COMMANDS

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING or KEYLESS):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "core",
    "accounts",
    "partners",
    "marketplace",
    "beneficiaries",
    "bookings",
    "agenda",
    "financing",
    "payments",
    "settlements",
    "reporting",
    "exchange",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.request_guard.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # reporting: PostgreSQL's JIT compiles the plans of the indicators' queries (their
    # estimated cost passes `jit_above_cost`) and spent longer compiling than running them
    # (bench/reporting.py). Off unless DATABASE_JIT=1.
    if not env.bool("DATABASE_JIT", default=False):
        _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
        _pg_options["options"] = f"{_pg_options.get('options', '')} -c jit=off".strip()
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Embedded mode serves several writers at once (threads, workers): readers never block
    # the writer (WAL), a transaction takes the write lock when it begins, before it reads
    # (IMMEDIATE: no deadlock where two readers both want to write), and a writer waits its
    # turn for up to 20 s instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache; without it Celery runs eagerly --------------------
REDIS_URL = env.str("REDIS_URL", default="")
_XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if TESTING and REDIS_URL and _XDIST_WORKER:
    # The suite run by several pytest-xdist workers (gw0, gw1…): the tests empty their Redis
    # database, so each worker takes its own, the next ones after REDIS_URL's.
    _redis = urlsplit(REDIS_URL)
    _worker = int(_XDIST_WORKER.removeprefix("gw"))
    _db = (int(_redis.path.strip("/") or 0) + 1 + _worker) % 16
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_db}"))
# Seconds a cache operation waits for Redis before the default cache (core.cache) falls
# back to local memory: a Redis that is down must not hang requests.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "local"},
        },
        "redis": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "solimob",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            },
        },
        "local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "solimob-fallback",
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "core.tasks.sweep_notifications",
        "schedule": 300.0,
    },
    "slots-next-free": {"task": "partners.tasks.refresh_next_free", "schedule": 60.0},
    "slots-roll-horizon": {
        "task": "partners.tasks.regenerate_all_slots",
        "schedule": 24 * 3600.0,
    },
    "referrals-remind-expire": {
        "task": "beneficiaries.tasks.referrals_remind_and_expire",
        "schedule": 24 * 3600.0,
    },
    "follow-ups-overdue": {
        "task": "beneficiaries.tasks.follow_ups_overdue_notify",
        "schedule": 24 * 3600.0,
    },
    "bookings-expire": {"task": "bookings.tasks.bookings_expire", "schedule": 900.0},
    "bookings-remind": {"task": "bookings.tasks.bookings_remind", "schedule": 900.0},
    "bookings-announce-pending": {
        "task": "bookings.tasks.bookings_announce_pending",
        "schedule": 300.0,
    },
    "financing-arrears": {"task": "financing.tasks.arrears_daily", "schedule": 24 * 3600.0},
    "payments-collect-installments": {
        "task": "payments.tasks.collect_due_installments",
        "schedule": 24 * 3600.0,
    },
    "payments-sweep": {"task": "payments.tasks.payments_sweep", "schedule": 600.0},
    "anonymise-inactive": {
        "task": "beneficiaries.tasks.anonymise_inactive",
        "schedule": 24 * 3600.0,
    },
}
# Bookings (DESIGN §4): unanswered requests expire; signed links for partners and people.
PARTNER_ANSWER_HOURS = env.int("PARTNER_ANSWER_HOURS", default=48)
PARTNER_LINK_MAX_AGE_HOURS = env.int("PARTNER_LINK_MAX_AGE_HOURS", default=72)
BENEFICIARY_LINK_MAX_AGE_DAYS = env.int("BENEFICIARY_LINK_MAX_AGE_DAYS", default=30)
# Financing: the legal limits of the micro-crédit personnel (décret 2022-124; DOMAIN §1).
MICRO_CREDIT_LIMITS = {
    "min": env.int("MICRO_CREDIT_MIN", default=300),
    "max": env.int("MICRO_CREDIT_MAX", default=8000),
    "max_months": env.int("MICRO_CREDIT_MAX_MONTHS", default=84),
}
INSTALLMENT_DUE_SOON_DAYS = env.int("INSTALLMENT_DUE_SOON_DAYS", default=5)
# Beneficiaries' journey (DOMAIN §0, §4, §5).
REFERRAL_REMIND_DAYS = env.int("REFERRAL_REMIND_DAYS", default=10)
REFERRAL_EXPIRE_DAYS = env.int("REFERRAL_EXPIRE_DAYS", default=30)
REFERRAL_LINK_MAX_AGE_DAYS = env.int("REFERRAL_LINK_MAX_AGE_DAYS", default=90)
FOLLOW_UP_OVERDUE_DAYS = env.int("FOLLOW_UP_OVERDUE_DAYS", default=42)
CASELOAD_NORM = env.int("CASELOAD_NORM", default=100)
# reporting: the funder's expectations (DOMAIN §0: CER of 6 months, renewable; 15 % return to
# activity or employment, 15 % exits linked to employment). Data, not code: set per deployment.
SUPPORT_CONTRACT_MONTHS = env.int("SUPPORT_CONTRACT_MONTHS", default=6)
REPORTING_TARGETS = {
    "activity": env.int("REPORTING_TARGET_ACTIVITY", default=15),
    "employment_exits": env.int("REPORTING_TARGET_EMPLOYMENT_EXITS", default=15),
}
# The indicators' figures "arrêtés" (reporting.snapshots): refreshed by a task, used while
# younger than this (a platform's past year; the network's years are used whatever their age,
# the page saying how old they are).
REPORTING_SNAPSHOT_MAX_AGE_HOURS = env.int("REPORTING_SNAPSHOT_MAX_AGE_HOURS", default=36)
# A platform's figures of this year (a period not yet over): "arrêtés" by a task every so
# many minutes, used while younger than that (else computed live); « Recalculer maintenant »
# refreshes them at once.
REPORTING_SNAPSHOT_LIVE_MINUTES = env.int("REPORTING_SNAPSHOT_LIVE_MINUTES", default=30)
RETENTION_DAYS = env.int("RETENTION_DAYS", default=730)
# Street addresses → coordinates through the national address API (off when empty); without
# it, the centre of the commune is used.
ADDRESS_GEOCODER_URL = env.str("ADDRESS_GEOCODER_URL", default="")
ADDRESS_GEOCODER_TIMEOUT = env.float("ADDRESS_GEOCODER_TIMEOUT", default=3.0)
# Slots are materialised this many days ahead.
SLOT_HORIZON_DAYS = env.int("SLOT_HORIZON_DAYS", default=120)

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:  # fast hashing in the test suite only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Solimob] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# allauth's own rate limits (cache-based): failed sign-ins, codes, resets.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Solimob"

# --- ProConnect (OpenID Connect sign-in of public and social-sector staff) ---------------
# Off unless the three are set (no button, no provider). The server URL is the issuer, whose
# /.well-known/openid-configuration is read (e.g. https://auth.agentconnect.gouv.fr/api/v2,
# https://fca.integ01.dev-agentconnect.fr/api/v2 for the test environment).
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_SERVER_URL = env.str("PROCONNECT_SERVER_URL", default="")
PROCONNECT_SCOPES = env.list(
    "PROCONNECT_SCOPES", default=["openid", "email", "given_name", "usual_name", "siret",
                                  "uid", "idp_id"],
)  # fmt: skip
PROCONNECT_ACR_VALUES = env.str("PROCONNECT_ACR_VALUES", default="eidas1")
PROCONNECT_ENABLED = bool(
    PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET and PROCONNECT_SERVER_URL
)
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # accounts.adapter decides, with the roles
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "accounts.proconnect.ProConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "proconnect",
                "name": "ProConnect",
                "client_id": PROCONNECT_CLIENT_ID,
                "secret": PROCONNECT_CLIENT_SECRET,
                "settings": {
                    "server_url": PROCONNECT_SERVER_URL,
                    "token_auth_method": "client_secret_post",
                    "scope": PROCONNECT_SCOPES,
                    "auth_params": {"acr_values": PROCONNECT_ACR_VALUES},
                },
            }
        ]
        if PROCONNECT_ENABLED
        else [],
    }
}

# Signed invitation links stay valid this many days.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=14)

# --- E-mail and SMS ---------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Solimob <ne-pas-repondre@solimob.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS (core/sms.py): "console" (default), "locmem" (tests), "http" (a transactional SMS
# provider's HTTPS API: SMS_API_URL, SMS_API_KEY, SMS_SENDER), or a dotted class path.
_SMS_BACKENDS = {
    "console": "core.sms.ConsoleSmsBackend",
    "locmem": "core.sms.LocMemSmsBackend",
    "http": "core.sms.HttpSmsBackend",
}
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_BACKEND = _SMS_BACKENDS.get(SMS_BACKEND, SMS_BACKEND)
SMS_SENDER = env.str("SMS_SENDER", default="Solimob")
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
SMS_API_TIMEOUT = env.float("SMS_API_TIMEOUT", default=10.0)
# The shared secret the provider sends back with delivery reports and replies (STOP);
# unset, the callback URLs answer 404.
SMS_CALLBACK_TOKEN = env.str("SMS_CALLBACK_TOKEN", default="")
# At most this many segments per SMS (153 GSM-7 or 67 UCS-2 characters each); longer texts
# are cut at a word with "...". French letters GSM-7 lacks are transliterated (ê → e) unless
# SMS_TRANSLITERATE=0, which sends such texts as UCS-2.
SMS_MAX_SEGMENTS = env.int("SMS_MAX_SEGMENTS", default=3)
SMS_TRANSLITERATE = env.bool("SMS_TRANSLITERATE", default=True)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_STUCK_MINUTES = env.int("NOTIFICATION_STUCK_MINUTES", default=10)

# --- Stripe (off unless a secret key is set) -------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_ENABLED = bool(STRIPE_SECRET_KEY)
# Payments (payments/): Stripe.js's address (a test double or localstripe may stand in), the
# methods offered for a person's share, how long Stripe may take, how long a mandate link lasts.
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
STRIPE_SHARE_METHODS = env.list("STRIPE_SHARE_METHODS", default=["card"])
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
PAYMENT_STUCK_MINUTES = env.int("PAYMENT_STUCK_MINUTES", default=60)
MANDATE_LINK_MAX_AGE_DAYS = env.int("MANDATE_LINK_MAX_AGE_DAYS", default=14)
REFUND_MAX_ATTEMPTS = env.int("REFUND_MAX_ATTEMPTS", default=5)
# Stripe's webhook events are processed in batches (payments/webhooks.py): at most
# STRIPE_EVENT_BATCH events a transaction, each Stripe object re-read once a batch, up to
# STRIPE_EVENT_READERS reads at once; up to STRIPE_EVENT_PROCESSORS batches run at once.
STRIPE_EVENT_BATCH = env.int("STRIPE_EVENT_BATCH", default=100)
STRIPE_EVENT_READERS = env.int("STRIPE_EVENT_READERS", default=8)
STRIPE_EVENT_PROCESSORS = env.int("STRIPE_EVENT_PROCESSORS", default=2)
# A run waits this long after a batch smaller than STRIPE_EVENT_BATCH, so that a steady flow
# of events is processed in batches rather than one by one (payments/tasks.py).
STRIPE_EVENT_GATHER_SECONDS = env.float("STRIPE_EVENT_GATHER_SECONDS", default=0.2)

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its `WWW-Authenticate` header makes "not signed in" a 401, as documented.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API view declares what it shows (`need_to_know = Need(...)`); one that does not
    # is refused.
    "DEFAULT_PERMISSION_CLASSES": ["accounts.need_to_know.NeedToKnowPermission"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth_token": env.str("TOKEN_THROTTLE_RATE", default="10/min")},
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.optional_role_dependent_fields",
    ],
    "TITLE": "Solimob API",
    "DESCRIPTION": "Réservation et financement des services d'une plateforme de mobilité "
    "solidaire.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shared by fields of the same name get one stable enum name each.
    "ENUM_NAME_OVERRIDES": {
        "PartnerCategoryEnum": "partners.enums.PartnerCategory",
        "BarrierCategoryEnum": "beneficiaries.enums.BarrierCategory",
        # payments/
        "PaymentPurposeEnum": "payments.enums.PaymentPurpose",
        "PaymentStatusEnum": "payments.enums.PaymentStatus",
        "RefundStatusEnum": "payments.enums.RefundStatus",
    },
}

# --- Exchange: the data·inclusion open-data feed and outgoing webhooks ------------------
# Open data: the producer's name in every id (`source`), how long a page of the feed is
# cached, and how often one anonymous client may ask (DRF's anon throttle, per IP).
DATA_INCLUSION_SOURCE = env.str("DATA_INCLUSION_SOURCE", default="solimob")
OPEN_DATA_CACHE_SECONDS = env.int("OPEN_DATA_CACHE_SECONDS", default=300)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["open_data"] = env.str(
    "OPEN_DATA_THROTTLE_RATE", default="60/min"
)
# Webhooks (Standard Webhooks): only HTTPS URLs of public hosts, unless this is on
# (development, the test suite's receiver on 127.0.0.1).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=15)
WEBHOOK_SUBSCRIBERS_CACHE_SECONDS = env.int("WEBHOOK_SUBSCRIBERS_CACHE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["webhooks-due"] = {
    "task": "exchange.tasks.sweep_webhook_deliveries",
    "schedule": 60.0,
}

# --- Language, time ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Security (production: DEBUG off) ---------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from our own origin, no inline script or
# style, no plugin, no framing. A view that needs more adds it with `core.csp.csp_update`
# (the API docs page; later the payment pages and Stripe's origins). CSP_REPORT_ONLY=1 sends
# the same policy as Content-Security-Policy-Report-Only, to roll a change out; violations
# go to CSP_REPORT_URI when set. (The switch is read into a lower-case name: django-csp 4
# reports any `CSP_*` setting of its 3.x series, CSP_REPORT_ONLY among them, as an error.)
_content_security_policy = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the MFA QR code is an SVG data: URI
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": env.list("CSP_REPORT_URI", default=[]) or None,
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _content_security_policy
else:
    CONTENT_SECURITY_POLICY = _content_security_policy
# Permissions-Policy (django-permissions-policy): no page uses these powerful features (the
# catalogue takes a typed commune or coordinates, not the browser's position). A view that
# needs one opens it with the package's `@permissions_policy` decorators (payment pages).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Settlements (paying the partners): the platform's own account, debited by the SEPA credit
# transfer files (pain.001). Empty: no transfer file can be made (409 bank_details_missing).
SETTLEMENT_DEBTOR_NAME = env.str("SETTLEMENT_DEBTOR_NAME", default="")
SETTLEMENT_DEBTOR_IBAN = env.str("SETTLEMENT_DEBTOR_IBAN", default="")
SETTLEMENT_DEBTOR_BIC = env.str("SETTLEMENT_DEBTOR_BIC", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # payments/: stripe-python logs every request at INFO (two lines a call); keep its warnings.
    "loggers": {"stripe": {"level": env.str("STRIPE_LOG_LEVEL", default="WARNING")}},
}

# --- Issue 16, the front door: waiting lists and self-referrals --------------------------------
# A place offered to the next person in line is held this long (and at least
# WAITLIST_MIN_ANSWER_MINUTES before the partner's notice runs out).
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=4)
WAITLIST_MIN_ANSWER_MINUTES = env.int("WAITLIST_MIN_ANSWER_MINUTES", default=60)
CELERY_BEAT_SCHEDULE["waitlist-sweep"] = {
    "task": "bookings.tasks.waitlist_sweep",
    "schedule": 300.0,
}
# The public « Être rappelé·e » form: requests per IP address per hour, and the least time a
# person takes to fill it (faster is a robot).
SELF_REFERRAL_PER_IP_PER_HOUR = env.int("SELF_REFERRAL_PER_IP_PER_HOUR", default=5)
SELF_REFERRAL_MIN_SECONDS = env.int("SELF_REFERRAL_MIN_SECONDS", default=4)
# --- Agenda (issue 16): advisers' places, opening rules, appointments, sessions ----------
# The platform's rules are read in this time zone; slots are materialised this far ahead;
# people are reminded these many hours before; the link in their messages lasts this long.
AGENDA_TIME_ZONE = env.str("AGENDA_TIME_ZONE", default="Europe/Paris")
AGENDA_HORIZON_DAYS = env.int("AGENDA_HORIZON_DAYS", default=90)
AGENDA_REMINDER_HOURS = env.list("AGENDA_REMINDER_HOURS", cast=int, default=[48, 24])
AGENDA_LINK_MAX_AGE_DAYS = env.int("AGENDA_LINK_MAX_AGE_DAYS", default=60)
AGENDA_FEED_MAX_AGE_DAYS = env.int("AGENDA_FEED_MAX_AGE_DAYS", default=365)
CELERY_BEAT_SCHEDULE |= {
    "agenda-remind": {"task": "agenda.tasks.agenda_remind", "schedule": 900.0},
    "agenda-roll-horizon": {"task": "agenda.tasks.agenda_regenerate_all", "schedule": 24 * 3600.0},
}
# reporting: the figures "arrêtés" of the network (this year and last) and of each platform
# (last year), recomputed every night.
CELERY_BEAT_SCHEDULE["reporting-snapshots"] = {
    "task": "reporting.tasks.report_snapshots_refresh",
    "schedule": 24 * 3600.0,
}
# ... and each platform's figures of this year, every REPORTING_SNAPSHOT_LIVE_MINUTES.
CELERY_BEAT_SCHEDULE["reporting-snapshots-current"] = {
    "task": "reporting.tasks.report_snapshots_refresh_current",
    "schedule": REPORTING_SNAPSHOT_LIVE_MINUTES * 60.0,
}
