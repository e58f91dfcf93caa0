from django.urls import path

from indicators import views

urlpatterns = [
    path("", views.home, name="home"),
    path("embed/compteur/", views.embed_counter, name="embed_counter"),
]
