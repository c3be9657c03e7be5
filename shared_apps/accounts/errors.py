"""Error codes of accounts: sign-up, login, tokens, members.

Published with every app's codes as `ErrorCode` in the OpenAPI documents and the
GraphQL schema (shared_apps.core.errors)."""

from django.db import models


class AccountsErrorCode(models.TextChoices):
    EMAIL_TAKEN = "email_taken", "This email already has an identity"
    INVALID_CREDENTIALS = "invalid_credentials", "Wrong email or password"
    INVALID_TOKEN = "invalid_token", "The password link is invalid or used"
    LAST_ADMIN = "last_admin", "A marketplace keeps at least one admin"
    NOT_A_MEMBER = "not_a_member", "Not a member of this marketplace"
    NOT_STAFF = "not_staff", "Only platform operators may log in here"
    TOKEN_EXPIRED = "token_expired", "The token has expired"
    TOKEN_INVALID = "token_invalid", "The token is not valid"
    TOKEN_REVOKED = "token_revoked", "The token was revoked (password changed or reset)"
    TOO_MANY_ATTEMPTS = "too_many_attempts", "Locked out after failed logins; see Retry-After"
    TOKEN_REUSED = "token_reused", "A refresh token was used twice: every token is revoked"
    TOKEN_WRONG_TENANT = "token_wrong_tenant", "The token was issued by another host"
    WEAK_PASSWORD = "weak_password", "The password is too weak"
