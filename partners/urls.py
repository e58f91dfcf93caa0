from django.urls import path

from partners import views

urlpatterns = [
    path("partenaires/", views.partner_list, name="partner_list"),
]
