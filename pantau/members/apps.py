from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "pantau.members"
    label = "members"
    verbose_name = "Member States and partners"
