from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from django.contrib import admin

        from accounts.login import LoginForm

        # The admin's login page (templates/admin/login.html): an address or a user name.
        admin.site.login_form = LoginForm
