from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pantau.audit"
    label = "audit"
    verbose_name = "Audit log"
