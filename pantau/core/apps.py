from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pantau.core"
    label = "core"
    verbose_name = "Pantau core"
