from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "pantau.statistics"
    label = "statistics"
    verbose_name = "ADMN drug statistics"
