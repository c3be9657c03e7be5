from django.urls import path

from shared_apps.accounts.api import views

# Served on both hosts: members log in on their marketplace, operators on the platform host.
auth_urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/password/reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password/set", views.PasswordSetView.as_view(), name="auth-password-set"),
]

marketplace_urlpatterns = [
    *auth_urlpatterns,
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/host", views.BecomeHostView.as_view(), name="me-host"),
    path("members", views.MemberListView.as_view(), name="members"),
    path("members/<uuid:user_id>", views.MemberDetailView.as_view(), name="member"),
]
