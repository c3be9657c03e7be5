from django.urls import path

from tenant_apps.bookings.api import views

urlpatterns = [
    path("bookings", views.BookingListCreateView.as_view(), name="bookings"),
    path("bookings/<uuid:booking_id>", views.BookingDetailView.as_view(), name="booking"),
    path("bookings/<uuid:booking_id>/accept", views.AcceptView.as_view(), name="booking-accept"),
    path("bookings/<uuid:booking_id>/decline", views.DeclineView.as_view(), name="booking-decline"),
    path("bookings/<uuid:booking_id>/cancel", views.CancelView.as_view(), name="booking-cancel"),
    path("properties/<uuid:property_id>/quote", views.QuoteView.as_view(), name="property-quote"),
]
