from django.urls import path

from tenant_apps.listings.api import views

urlpatterns = [
    path("amenities", views.AmenityListView.as_view(), name="amenities"),
    path("me/properties", views.MyPropertiesView.as_view(), name="my-properties"),
    path("properties", views.PropertyListCreateView.as_view(), name="properties"),
    path("properties/<uuid:property_id>", views.PropertyDetailView.as_view(), name="property"),
    path(
        "properties/<uuid:property_id>/publish",
        views.PropertyPublishView.as_view(),
        name="property-publish",
    ),
    path(
        "properties/<uuid:property_id>/photos",
        views.PhotoListView.as_view(),
        name="property-photos",
    ),
    path(
        "properties/<uuid:property_id>/photos/<uuid:photo_id>",
        views.PhotoDetailView.as_view(),
        name="property-photo",
    ),
    path(
        "properties/<uuid:property_id>/blocks",
        views.BlockListView.as_view(),
        name="property-blocks",
    ),
    path(
        "properties/<uuid:property_id>/blocks/<uuid:block_id>",
        views.BlockDetailView.as_view(),
        name="property-block",
    ),
    path(
        "properties/<uuid:property_id>/calendar",
        views.CalendarView.as_view(),
        name="property-calendar",
    ),
]
