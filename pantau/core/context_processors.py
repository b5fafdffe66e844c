from django.conf import settings
from django.http import HttpRequest

from .models import DemoDataset


def pantau(request: HttpRequest) -> dict:
    return {
        "PANTAU_ENV": settings.PANTAU_ENV,
        # Lazy: evaluated only by pages that render the banner (one tiny query).
        "demo_data_loaded": lambda: DemoDataset.objects.exists(),
    }
