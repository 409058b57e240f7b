from django.urls import URLPattern, URLResolver, include, path
from oauth2_provider import urls as oauth2_urls

from demoidp.oidc import views
from demoidp.oidc.settings import FAULTS

# The step-up authorization endpoint stands before the library's own at the same path.
oauth2_patterns = [
    path("authorize/", views.StepUpAuthorizationView.as_view(), name="authorize"),
    *oauth2_urls.base_urlpatterns,
    *oauth2_urls.oidc_urlpatterns,
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login_page, name="login"),
    path("o/", include((oauth2_patterns, "oauth2_provider"))),
]
if FAULTS:
    urlpatterns.append(path("_faults/", views.order_fault))
