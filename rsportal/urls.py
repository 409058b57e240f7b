from django.contrib import admin
from django.urls import include, path

from sso import views as sso_views

from . import views

# A lost database connection is a 503 (rsportal.database_lost); any other error Django's 500.
handler400 = "rsportal.database_lost.bad_request"
handler500 = "rsportal.database_lost.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("logga-in/", sso_views.Login.as_view(), name="login"),
    path("logga-ut/", sso_views.logout, name="logout"),
    # The admin's own password form would pass by the rules of RSPORTAL_PASSWORD_LOGIN.
    path("admin/login/", sso_views.Login.as_view(), name="admin_login"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("orders.urls")),
    path("", include("letters.urls")),
    path("", include("desk.urls")),
    path("", include("selfhelp.urls")),
    path("", include("registers.urls")),
    path("", include("sso.urls")),
]
