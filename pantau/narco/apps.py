from django.apps import AppConfig


class NarcoConfig(AppConfig):
    name = "pantau.narco"
    label = "narco"
    verbose_name = "ASEAN-NARCO database"
