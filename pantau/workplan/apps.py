from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "pantau.workplan"
    label = "workplan"
    verbose_name = "Work Plan catalogue"
