from django.urls import path

from tenant_apps.payments.api import views

urlpatterns = [
    path("payment-settings", views.PaymentSettingsView.as_view(), name="payment-settings"),
    path(
        "payment-settings/check",
        views.PaymentSettingsCheckView.as_view(),
        name="payment-settings-check",
    ),
    path(
        "bookings/<uuid:booking_id>/payments",
        views.BookingPaymentsView.as_view(),
        name="booking-payments",
    ),
    path("bookings/<uuid:booking_id>/mark-paid", views.MarkPaidView.as_view(), name="mark-paid"),
    path(
        "payments/webhooks/<str:provider>",
        views.WebhookView.as_view(),
        name="payment-webhook",
    ),
    path("payouts", views.PayoutsView.as_view(), name="payouts"),
]
