from django.db import models, transaction


class Authentication(models.Model):
    """How the person logged in when an authorization code was issued: the token request that
    redeems the code comes from the RP's server, without the browser's session."""

    code = models.CharField(max_length=255, unique=True)
    method = models.CharField(max_length=32)

    objects: "models.Manager[Authentication]" = models.Manager()  # this app is no app of RS-portal's mypy

    def __str__(self) -> str:
        return self.method


class Fault(models.Model):
    """The fault a test ordered for the next ID token (only with --faults)."""

    kind = models.CharField(max_length=32)

    objects: "models.Manager[Fault]" = models.Manager()

    def __str__(self) -> str:
        return self.kind

    @classmethod
    def take_next(cls) -> str:
        with transaction.atomic():
            fault = cls.objects.select_for_update().order_by("pk").first()
            if fault is None:
                return ""
            fault.delete()
            return fault.kind
