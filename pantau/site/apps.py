from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "pantau.site"
    label = "pantau_site"
    verbose_name = "Pantau site"
