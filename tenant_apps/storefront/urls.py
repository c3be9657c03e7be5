from django.urls import path

from tenant_apps.storefront import views

urlpatterns = [path("", views.home, name="storefront-home")]
