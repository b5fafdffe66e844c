"""The restricted ASEAN-NARCO database (13.b, 9.d, 14): persons of interest and fugitives,
syndicates and watch-list entries, each shared explicitly by its originating Member State.

Nothing here is registered in the Django admin: only ASEAN-NARCO officers see the module,
through restricted querysets, and every read and write is audited."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import InformationGrade, PersonStatus, Sharing, SourceReliability, SyndicateStatus
from .crypto import EncryptedJSONField
from .permissions import officer_states


class NarcoQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Records shared with the user's Member State (as an ASEAN-NARCO officer); for
        "change", only records of the user's own state. Everybody else: nothing."""
        states = officer_states(user)
        if not states:
            return self.none()
        own = Q(originator__code__in=states)
        if action == "change":
            return self.filter(own)
        shared = Q(archived_at__isnull=True) & (
            Q(sharing=Sharing.ALL) | Q(sharing=Sharing.STATES, shared_with__code__in=states)
        )
        # A subquery rather than .distinct(): the M2M join must not duplicate rows.
        return self.filter(pk__in=self.model._default_manager.filter(own | shared).values("pk"))


class NarcoRecord(models.Model):
    """What every NARCO record carries: who owns it, with whom it is shared, its review."""

    originator = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    originating_agency = models.CharField(max_length=200, blank=True)
    sharing = models.CharField(max_length=12, choices=Sharing.choices, default=Sharing.ORIGINATOR)
    shared_with = models.ManyToManyField("members.MemberState", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Data minimisation: past this date the originator confirms the record or it is archived.
    review_date = models.DateField()
    archived_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False)

    objects = NarcoQuerySet.as_manager()

    class Meta:
        abstract = True


class Person(NarcoRecord):
    """A person of interest or fugitive. Names are kept as recorded (own script) and in
    romanised form; identifiers are encrypted at rest."""

    names = models.JSONField(help_text="Names and aliases, as recorded (any script)")
    nationality = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    date_of_birth = EncryptedJSONField(null=True, blank=True)
    identity_documents = EncryptedJSONField(null=True, blank=True)
    wanted_by = models.ForeignKey(
        "members.MemberState", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wanted_for = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=PersonStatus.choices, default=PersonStatus.OF_INTEREST
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Person #{self.pk}"  # names stay out of logs and the audit's object_repr


class Syndicate(NarcoRecord):
    """A drug trafficking syndicate and what is known of its operations."""

    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    areas_of_operation = models.JSONField(default=list, blank=True)
    routes = models.TextField(blank=True)
    drug_types = models.JSONField(default=list, blank=True)
    precursors = models.JSONField(default=list, blank=True)
    modus_operandi = models.TextField(blank=True)
    linked_organisations = models.TextField(blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="syndicates")
    status = models.CharField(
        max_length=16, choices=SyndicateStatus.choices, default=SyndicateStatus.ACTIVE
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Syndicate #{self.pk}"


class WatchListEntry(NarcoRecord):
    """An activity on the watch-list, linking a person or syndicate, graded 4x4."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="watch"
    )
    syndicate = models.ForeignKey(
        Syndicate, null=True, blank=True, on_delete=models.CASCADE, related_name="watch"
    )
    activity = models.TextField()
    source_agency = models.CharField(max_length=200)
    source_reliability = models.CharField(max_length=1, choices=SourceReliability.choices)
    information_grade = models.CharField(max_length=1, choices=InformationGrade.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(syndicate__isnull=False),
                name="watch_links_something",
            )
        ]

    def __str__(self) -> str:
        return f"Watch-list entry #{self.pk}"


class NameKey(models.Model):
    """One searchable name of a person or syndicate: as recorded, romanised, phonetic."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="name_keys"
    )
    syndicate = models.ForeignKey(
        Syndicate, null=True, blank=True, on_delete=models.CASCADE, related_name="name_keys"
    )
    name = models.CharField(max_length=300)
    romanised = models.CharField(max_length=300, db_index=True)
    phonetic = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.romanised


class NameToken(models.Model):
    """A key under which a name is found: a word, its sound, a one-letter deletion of it, or
    the whole name without breaks (names.index_keys). The search looks keys up in the
    database and scores only the records found, never every record."""

    name_key = models.ForeignKey(NameKey, on_delete=models.CASCADE, related_name="tokens")
    key = models.CharField(max_length=300, db_index=True)

    def __str__(self) -> str:
        return self.key


class SearchHit(models.Model):
    """A partner's search matched a record it may not see. The originator is told (who
    searched, when, which of its records) so the two can talk through official channels;
    the searcher learns nothing."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    syndicate = models.ForeignKey(
        Syndicate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    originator = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    searched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    searcher_state = models.ForeignKey(
        "members.MemberState", on_delete=models.PROTECT, related_name="+"
    )
    query = models.CharField(max_length=300)
    score = models.FloatField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"hit by {self.searcher_state_id} on {self.originator_id} at {self.at:%Y-%m-%d}"
