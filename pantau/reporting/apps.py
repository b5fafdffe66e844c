from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "pantau.reporting"
    label = "reporting"
    verbose_name = "ASOD Standardized Country Report"
