from django.apps import AppConfig


class ClearinghouseConfig(AppConfig):
    name = "pantau.clearinghouse"
    label = "clearinghouse"
    verbose_name = "Research clearinghouse"
