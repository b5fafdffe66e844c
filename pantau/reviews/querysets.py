"""Reads of review exercises: every page, file and API answer starts here."""

from django.http import Http404

from .models import ReviewExercise, ReviewVersion


def reviews_for(user):
    return ReviewExercise.objects.restrict(user).select_related("plan", "milestone")


def get_review_or_404(user, pk: int) -> ReviewExercise:
    """The exercise if `user` may see it; 404 alike for missing and hidden ones."""
    exercise = reviews_for(user).filter(pk=pk).first()
    if exercise is None:
        raise Http404("No such review")
    return exercise


def get_version_or_404(user, pk: int, number: int) -> ReviewVersion:
    exercise = get_review_or_404(user, pk)
    version = exercise.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    return version
