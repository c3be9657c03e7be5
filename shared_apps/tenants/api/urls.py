from django.urls import path

from shared_apps.tenants.api import views

urlpatterns = [
    path("tenants", views.TenantListCreateView.as_view(), name="platform-tenants"),
    path("tenants/<slug:slug>", views.TenantDetailView.as_view(), name="platform-tenant"),
    path(
        "tenants/<slug:slug>/metrics",
        views.TenantMetricsView.as_view(),
        name="platform-tenant-metrics",
    ),
    path("metrics", views.TenantMetricsListView.as_view(), name="platform-metrics"),
    path(
        "tenants/<slug:slug>/suspend",
        views.TenantSuspendView.as_view(),
        name="platform-tenant-suspend",
    ),
    path(
        "tenants/<slug:slug>/resume",
        views.TenantResumeView.as_view(),
        name="platform-tenant-resume",
    ),
]
