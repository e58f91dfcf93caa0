"""E-mails to the accounts: in French, plain text with an HTML part, their links
absolute and built from SITE_URL (a reminder sent by cron has no request to read a
host from), and sent so that a failure is logged, never raised at the person whose
save caused it.

Logs name the account by its id: an address is personal data, which the logs never
hold (see LOGGING)."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def absolute_url(path):
    """`path` (from reverse(), starting with /) on the site's public address."""
    return f"{settings.SITE_URL}{path}"


def greeting_name(account):
    return account.first_name or account.get_full_name() or account.get_username()


def message(account, subject, template, context, unsubscribe_url=None):
    """An e-mail to `account`, from `template`.txt and `template`.html. With an
    unsubscribe link, mail programs offer it too (List-Unsubscribe): it opens the
    confirmation page, as the link at the bottom of the e-mail does."""
    context = {"account": account, "name": greeting_name(account), **context}
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>"} if unsubscribe_url else {}
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[account.email],
        headers=headers,
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    email.account_id = account.pk
    return email


def send_all(emails):
    """Sends the e-mails over one connection to the mail server; one that cannot be
    sent is logged and the others go on. Returns the number sent."""
    if not emails:
        return 0
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        logger.exception(
            "The mail server could not be reached: %s e-mail(s) not sent.", len(emails)
        )
        return 0
    sent = 0
    try:
        for email in emails:
            email.connection = connection
            try:
                sent += email.send()
            except Exception:
                logger.exception(
                    "E-mail « %s » to account %s not sent.", email.subject, email.account_id
                )
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("The connection to the mail server did not close cleanly.")
    return sent
