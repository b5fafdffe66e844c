"""The research clearinghouse (Work Plan components 16 and 17): items submitted by registered
users, moderated by the ASEAN Secretariat, published to the public."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.accounts.permissions import is_administrator, is_secretariat

from .choices import DocumentState, DocumentType, FileStatus, Language


class DocumentQuerySet(models.QuerySet):
    def published(self):
        """The one public rule: only published items leave the system."""
        return self.filter(state=DocumentState.PUBLISHED)

    def restrict(self, user):
        """What `user` may see: the Secretariat and administrators every item, a registered
        user the published items and their own submissions, anyone else the published ones."""
        if is_secretariat(user) or is_administrator(user):
            return self.all()
        if user is not None and getattr(user, "is_authenticated", False) and user.pk:
            return self.filter(Q(state=DocumentState.PUBLISHED) | Q(submitted_by=user))
        return self.published()


class Document(models.Model):
    """One item of the clearinghouse: research, a best practice, an evaluation, a guideline, a
    dataset or training material, with an optional file (PDF or DOCX) and/or a link."""

    title = models.CharField(_("title"), max_length=500)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    type = models.CharField(_("type"), max_length=24, choices=DocumentType.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    abstract = models.TextField(_("abstract"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    member_states = models.ManyToManyField(
        "members.MemberState", blank=True, related_name="+", verbose_name=_("Member States")
    )
    components = models.ManyToManyField(
        "workplan.Component",
        blank=True,
        related_name="+",
        verbose_name=_("Work Plan components"),
    )

    file = models.CharField(max_length=300, blank=True, help_text="Name in the default storage")
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_status = models.CharField(
        max_length=12, choices=FileStatus.choices, default=FileStatus.NONE
    )
    file_problem = models.CharField(max_length=300, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, help_text="Text read from the file by the worker")

    state = models.CharField(
        max_length=20, choices=DocumentState.choices, default=DocumentState.SUBMITTED
    )
    moderation_comment = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    # "More like this": the item's multilingual embedding (384 float32, L2-normalised).
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_model = models.CharField(max_length=60, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text=_("Created by the demo loader; illustrative only.")
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "year"]),
            # The columns a search reads of each item it finds (who may see it, its facets):
            # read from this narrow index, not from the rows with their texts (SQLite looks
            # up by id in it; 53,000 matches counted in 21 ms instead of 100 ms).
            models.Index(
                fields=["id", "state", "type", "language", "year", "submitted_by"],
                name="clearinghouse_doc_search",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def is_published(self) -> bool:
        return self.state == DocumentState.PUBLISHED
