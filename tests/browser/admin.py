"""Signing in to the admin, as the browser tests' accounts do."""

from django.urls import reverse

PASSWORD = "un mot de passe de test assez long"


def log_in(page, identifier, password=PASSWORD):
    """Through the login form, by user name or e-mail address; lands on the admin's
    home."""
    page.goto(reverse("admin:login"))
    page.fill("input[name=username]", identifier)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.endswith(reverse("admin:index")), page.url
