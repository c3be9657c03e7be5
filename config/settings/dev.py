"""Local development: debug on, emails printed to the console."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
GRAPHQL_DEV_TOOLS = env.bool("GRAPHQL_DEV_TOOLS", default=True)
BEAT_CATCH_UP_AT_START = env.bool("BEAT_CATCH_UP_AT_START", default=True)
