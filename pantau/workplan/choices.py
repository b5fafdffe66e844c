from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewKind(models.TextChoices):
    INTERNAL = "internal", _("Internal review")
    MID_TERM = "mid_term", _("Mid-term review")
    END_OF_TERM = "end_of_term", _("End-of-term review")
    FINAL_ASSESSMENT = "final_assessment", _("Final assessment")
