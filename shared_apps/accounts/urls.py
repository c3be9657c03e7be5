from django.urls import path

from shared_apps.accounts.views import set_password_page

# The page an emailed link opens (server-rendered, for people rather than API clients);
# served on every host, since operators get reset links on the platform host.
page_urlpatterns = [
    path(
        "accounts/set-password/<str:uidb64>/<str:token>/",
        set_password_page,
        name="set-password",
    ),
]
