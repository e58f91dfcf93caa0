"""An import file waiting, between its preview and its confirmation.

Kept in the database rather than the cache: any worker or server may receive the
confirmation, the import does not depend on the cache being up, and claiming the
file is a row deletion inside the import's own transaction (a second click, or a
rolled-back import, cannot lose or reuse it)."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREVIEW_LIFETIME = datetime.timedelta(hours=1)


def new_token():
    return secrets.token_urlsafe(32)


class ImportPreviewQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(created_at__lte=(now or timezone.now()) - PREVIEW_LIFETIME)


class ImportPreview(models.Model):
    """The file an account has checked and may confirm: one per account, replaced by
    its next upload, deleted when confirmed, cancelled or expired (an hour)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_preview",
        verbose_name="compte",
    )
    # Names this upload: the confirmation page carries it, so that a page left open
    # on a replaced file confirms nothing.
    token = models.CharField("jeton", max_length=64, default=new_token)
    file_name = models.CharField("nom du fichier", max_length=255)
    content = models.BinaryField("contenu")
    created_at = models.DateTimeField("déposé le", default=timezone.now, db_index=True)
    # The version of each recorded event the preview showed changes to, by id: an
    # event saved since then is not overwritten by the confirmation.
    versions = models.JSONField("versions des actions modifiées", default=dict)
    # The plan the preview matched the file against: the confirmation imports into
    # it or nothing (a plan published since would read « 1 » as another initiative).
    plan = models.ForeignKey(
        "initiatives.ActionPlan",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="plan d'action",
    )

    objects = ImportPreviewQuerySet.as_manager()

    class Meta:
        verbose_name = "fichier à importer"
        verbose_name_plural = "fichiers à importer"

    def __str__(self):
        return self.file_name

    @property
    def is_expired(self):
        return self.created_at <= timezone.now() - PREVIEW_LIFETIME

    @classmethod
    def keep(cls, user, file_name, content, plan, versions=None):
        """Stores an account's file, checked against `plan`, in place of its previous
        one, in one statement (two uploads at once by one account leave the last one),
        and purges every account's expired files. `versions`: the version of each
        recorded event the file changes, by id. Returns the new token."""
        cls.objects.expired().delete()
        token = new_token()
        cls.objects.bulk_create(
            [
                cls(
                    user=user,
                    token=token,
                    file_name=file_name[:255],
                    content=content,
                    versions={str(pk): version for pk, version in (versions or {}).items()},
                    created_at=timezone.now(),
                    plan=plan,
                )
            ],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["token", "file_name", "content", "versions", "created_at", "plan"],
        )
        return token

    @classmethod
    def discard(cls, user):
        """Deletes the account's pending file, if any, and every expired one."""
        cutoff = timezone.now() - PREVIEW_LIFETIME
        cls.objects.filter(models.Q(user=user) | models.Q(created_at__lte=cutoff)).delete()

    @classmethod
    def claim(cls, user, token):
        """Deletes the account's pending file named by `token`; True if this call
        deleted it. Inside a transaction, a concurrent claim waits for it, then finds
        nothing if it commits, or the file again if it rolls back."""
        deleted, _ = cls.objects.filter(user=user, token=token).delete()
        return deleted == 1
