from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from jiance import health
from jiance.accounts import views as account_views
from jiance.api import api
from jiance.apps_registry import url_includes
from jiance.web import views as web_views


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: in production the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("jiance/favicon.ico"))


urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.password_change, name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Each app's pages, as its registry declares them (jiance/<app>/registry.py).
    *(path(f"{prefix}/", include(module)) for prefix, module in url_includes()),
    path("api/", api.urls),
    path("favicon.ico", favicon),
]

handler400 = "jiance.errors.bad_request"
handler403 = "jiance.errors.forbidden"
handler404 = "jiance.errors.not_found"
handler500 = "jiance.errors.server_error"
