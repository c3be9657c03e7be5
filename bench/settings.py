"""Settings of the benchmark's server: development settings with the bench URLconf (the
marketplace URLs plus a bare view) and no debug overhead."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
