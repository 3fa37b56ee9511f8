from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz

admin.site.site_header = _("Party-representative service desk")
admin.site.site_title = _("Service desk back office")
admin.site.index_title = _("Back office")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("open311/v2/", include("petitions.open311.urls")),
    path("reports/", include("assessment.reports.urls")),
    path("downloads/", include("assessment.downloads.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/hot-words/", include("petitions.hotwords.urls")),
    path("dashboard/", include("petitions.dashboard.urls")),
    path("", include("petitions.urls")),
    path("", include("offices.urls")),
]
# Nothing under MEDIA_ROOT is served at MEDIA_URL, not even with DEBUG: citizens' photos and the duties'
# files are served by access-checked views (config/private_media.py, petitions/dashboard/files.py).
