import pytest

from core.audit import audit_log
from core.models import AuditLog


@pytest.mark.django_db
def test_audit_log_records_actor_action_and_target(adviser, platform):
    entry = audit_log(actor=adviser, action="organisation.viewed", target=platform, data={"a": 1})
    entry.refresh_from_db()
    assert entry.actor == adviser
    assert (entry.target_type, entry.target_id) == ("accounts.organisation", str(platform.pk))
    assert entry.data == {"a": 1}
    assert entry.at is not None


@pytest.mark.django_db
def test_audit_log_is_append_only(adviser):
    entry = audit_log(actor=adviser, action="x")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=entry.pk).update(action="y")
    with pytest.raises(TypeError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "x"
