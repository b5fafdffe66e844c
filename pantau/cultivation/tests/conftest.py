import pytest

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    """The worker's tasks run as soon as they are queued; uploads kept under tmp_path."""
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def run_tasks(immediate_tasks, django_capture_on_commit_callbacks):
    """`with run_tasks(): ...`: what is queued inside runs when the block ends, as the worker
    would run it after the request's commit."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block
