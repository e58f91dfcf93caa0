from django.urls import path

from partners import views

urlpatterns = [
    path("partenaires/", views.partner_list, name="partner_list"),
    path("partenaires/<slug:slug>/", views.partner_detail, name="partner_detail"),
]
