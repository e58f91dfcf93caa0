from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Mixité Industrie — administration"
admin.site.site_title = "Mixité Industrie"
admin.site.index_title = "Suivi du plan d'action"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("indicators.urls")),
]
