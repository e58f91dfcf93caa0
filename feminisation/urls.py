from django.contrib import admin
from django.urls import include, path, re_path

from api.views import UnknownAddressView
from feminisation import views

admin.site.site_header = "Mixité Industrie — administration"
admin.site.site_title = "Mixité Industrie"
admin.site.index_title = "Suivi du plan d'action"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
    path("", include("initiatives.urls")),
    path("", include("partners.urls")),
    path("", include("accounts.urls")),
    path("", include("territories.urls")),
    path("api/v1/", include("api.urls")),
    # Any other address under /api/ (/api/v2/…) answers in JSON as the API does.
    # Only those that end with a slash: without it, CommonMiddleware still
    # redirects /api/v1/chiffres to its endpoint.
    re_path(r"^api/(?:.*/)?$", UnknownAddressView.as_view(), name="api_unknown"),
    # Answered by feminisation.middleware.HealthCheckMiddleware first; named here
    # for reverse().
    path("sante/", views.health, name="health"),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
