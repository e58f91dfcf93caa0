from django.urls import path

from initiatives import legal, views

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative_detail"),
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal_data"),
]
