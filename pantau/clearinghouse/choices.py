from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    RESEARCH = "research", _("Research")
    BEST_PRACTICE = "best_practice", _("Best practice")
    EVALUATION = "evaluation", _("Evaluation")
    GUIDELINE = "guideline", _("Guideline")
    DATASET = "dataset", _("Dataset")
    TRAINING_MATERIAL = "training_material", _("Training material")


class DocumentState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting moderation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FileStatus(models.TextChoices):
    """Where the text of the attached file stands (the worker reads it, never the request)."""

    NONE = "none", _("No file")
    PENDING = "pending", _("Waiting for the text to be read")
    EXTRACTED = "extracted", _("Text read")
    NO_TEXT = "no_text", _("No searchable text (a scan?)")
    REFUSED = "refused", _("File refused")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    BAHASA_INDONESIA = "id", _("Bahasa Indonesia")
    BAHASA_MELAYU = "ms", _("Bahasa Melayu")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")
    FILIPINO = "fil", _("Filipino")
    KHMER = "km", _("Khmer")
    LAO = "lo", _("Lao")
    BURMESE = "my", _("Burmese")
    TETUM = "tet", _("Tetum")
    PORTUGUESE = "pt", _("Portuguese")
    CHINESE = "zh", _("Chinese")
    FRENCH = "fr", _("French")
    OTHER = "other", _("Other")


# Moves of the moderation: action -> (states it starts from, state it leads to).
MODERATION = {
    "publish": ((DocumentState.SUBMITTED,), DocumentState.PUBLISHED),
    "request_changes": ((DocumentState.SUBMITTED,), DocumentState.CHANGES_REQUESTED),
    "reject": ((DocumentState.SUBMITTED, DocumentState.CHANGES_REQUESTED), DocumentState.REJECTED),
    "withdraw": ((DocumentState.PUBLISHED,), DocumentState.WITHDRAWN),
}
