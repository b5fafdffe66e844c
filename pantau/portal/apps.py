from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "pantau.portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from pantau.audit.models import AuditEvent
        from pantau.programmes.models import NationalProgramme, Service
        from pantau.reporting.models import CountryReport
        from pantau.statistics.models import StatisticsState

        from .reads import forget_version

        # What the portal's version is read from: a change to any of them is seen at once.
        for model in (AuditEvent, StatisticsState, CountryReport, NationalProgramme, Service):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_version, sender=model, dispatch_uid=f"portal-{model.__name__}"
                )
