from django.urls import path

from accounts import password_links

# Django's own names, which its reset views and e-mails reverse.
urlpatterns = [
    path(
        "compte/mot-de-passe/<uidb64>/<token>/",
        password_links.ChoosePasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/mot-de-passe/enregistre/",
        password_links.PasswordChosenView.as_view(),
        name="password_reset_complete",
    ),
]
