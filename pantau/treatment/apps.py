from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "pantau.treatment"
    label = "treatment"
    verbose_name = "Treatment MIS"
