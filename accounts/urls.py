from django.urls import path

from accounts import notification_settings, password_links

# Django's own names where its reset views and e-mails reverse them.
urlpatterns = [
    path(
        "compte/invitation/<uidb64>/<token>/",
        password_links.AcceptInvitationView.as_view(),
        name="invitation_accept",
    ),
    path(
        "compte/mot-de-passe-oublie/",
        password_links.ForgottenPasswordView.as_view(),
        name="forgotten_password",
    ),
    path(
        "compte/mot-de-passe-oublie/envoye/",
        password_links.ForgottenPasswordSentView.as_view(),
        name="forgotten_password_sent",
    ),
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
    path(
        "compte/notifications/",
        notification_settings.notification_settings,
        name="notification_settings",
    ),
    path(
        "compte/notifications/desinscription/<str:token>/",
        notification_settings.unsubscribe,
        name="notifications_unsubscribe",
    ),
]
