from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "pantau.cultivation"
    label = "cultivation"
    verbose_name = "Cultivation and alternative development"
