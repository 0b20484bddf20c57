from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from jiance.accounts import views as account_views
from jiance.api import api
from jiance.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("work/", include("jiance.web.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.password_change, name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("units/", include("jiance.units.urls")),
    path("cycles/", include("jiance.cycles.urls")),
    path("audit/", include("jiance.audit.urls")),
    path("accounts/", include("jiance.accounts.urls")),
    path("reporting/", include("jiance.reporting.urls")),
    path("sampling/", include("jiance.sampling.urls")),
    path("rosters/", include("jiance.rosters.urls")),
    path("testday/", include("jiance.testday.urls")),
    path("aftertest/", include("jiance.aftertest.urls")),
    path("api/", api.urls),
    path("favicon.ico", RedirectView.as_view(url=static("jiance/favicon.ico"), permanent=True)),
]

handler403 = "jiance.errors.forbidden"
handler404 = "jiance.errors.not_found"
handler500 = "jiance.errors.server_error"
