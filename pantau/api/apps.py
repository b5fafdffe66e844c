from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pantau.api"
    label = "api"
    verbose_name = "API"
