import re

# A slug is the marketplace's schema name, its subdomain label and its queue name, so it
# follows the strictest of the three: a DNS label of lowercase letters, digits and hyphens.
SLUG_RE = re.compile(r"^[a-z](?:[a-z0-9-]{1,61}[a-z0-9])$")
SLUG_RULE = (
    "Use 3 to 63 lowercase letters, digits and hyphens, starting with a letter and not "
    "ending with a hyphen."
)
RESERVED_SLUGS = frozenset(
    {
        "public",
        "www",
        "admin",
        "api",
        "app",
        "apps",
        "platform",
        "static",
        "media",
        "assets",
        "cdn",
        "mail",
        "email",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "ns1",
        "ns2",
        "auth",
        "login",
        "account",
        "accounts",
        "graphql",
        "healthz",
        "status",
        "docs",
        "help",
        "support",
        "billing",
        "dashboard",
        "blog",
        "dev",
        "test",
        "staging",
        "internal",
        "root",
        "system",
        "template",
        "tenant",
        "tenants",
        "information-schema",
        "pg-catalog",
    }
)
# A hostname: labels of letters, digits and hyphens, at least one dot, no port.
DOMAIN_RE = re.compile(
    r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# ISO 4217 codes of currencies in active use.
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()  # noqa: SIM905
)

DEFAULT_PRIMARY_COLOR = "#1f6feb"
DEFAULT_ACCENT_COLOR = "#f78166"

# The fields that make up a marketplace's look; its admins may change these.
BRANDING_FIELDS = (
    "display_name", "logo_url", "hero_url", "primary_color", "accent_color", "support_email",
)  # fmt: skip
