import pytest


@pytest.fixture(autouse=True)
def _checkpoint_files(settings, tmp_path):
    """Every audit test signs with its own key into its own log: the checkpoints of the
    developer's own database (var/) say nothing about the test database."""
    settings.PANTAU_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.key"
    settings.PANTAU_AUDIT_PUBLIC_KEY_FILE = None
    settings.PANTAU_AUDIT_CHECKPOINT_FILE = tmp_path / "log" / "audit-checkpoints.jsonl"
    settings.PANTAU_AUDIT_CHECKPOINT_SECONDS = 3600
