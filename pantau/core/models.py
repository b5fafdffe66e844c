from django.db import models


class DemoDataset(models.Model):
    """Present when the demo loader has run: every page then says the data is illustrative."""

    loaded_at = models.DateTimeField()
    description = models.TextField()

    def __str__(self) -> str:
        return f"demo data loaded {self.loaded_at:%Y-%m-%d}"
