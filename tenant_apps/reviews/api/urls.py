from django.urls import path

from tenant_apps.reviews.api import views

urlpatterns = [
    path(
        "bookings/<uuid:booking_id>/review",
        views.BookingReviewView.as_view(),
        name="booking-review",
    ),
    path(
        "properties/<uuid:property_id>/reviews",
        views.PropertyReviewListView.as_view(),
        name="property-reviews",
    ),
    path("reviews/<uuid:review_id>/reply", views.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<uuid:review_id>/hide", views.ReviewHideView.as_view(), name="review-hide"),
]
