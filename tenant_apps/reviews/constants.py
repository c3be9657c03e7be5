RATING_MIN, RATING_MAX = 1, 5
# The overall rating is required; these are optional, each 1 to 5 when given.
SUB_RATINGS = ("cleanliness", "accuracy", "location", "value")
COMMENT_MIN_LENGTH = 10  # "ok" says nothing to the next guest
COMMENT_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 1000
HIDE_REASON_MAX_LENGTH = 500
DEFAULT_REVIEW_WINDOW_DAYS = 14
