from django.contrib import admin
from django.urls import include, path

from feminisation import views

admin.site.site_header = "Mixité Industrie — administration"
admin.site.site_title = "Mixité Industrie"
admin.site.index_title = "Suivi du plan d'action"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
    path("", include("initiatives.urls")),
    path("", include("partners.urls")),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
