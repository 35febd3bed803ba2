import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def withdrawn_by_from_the_audit_log(apps, schema_editor):
    """A publication withdrawn before who withdrew it was kept with it: its withdrawer (and a
    reason, had one been recorded) come from its first "publication.withdraw" audit event."""
    Publication = apps.get_model("publishing", "Publication")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    pending = {
        str(pk): pk
        for pk in Publication.objects.filter(
            withdrawn_at__isnull=False, withdrawn_by__isnull=True
        ).values_list("pk", flat=True)
    }
    if not pending:
        return
    events = (
        AuditEvent.objects.filter(
            action="publication.withdraw", object_type="publishing.publication", object_id__in=list(pending)
        )
        .order_by("-id")  # the first event of each publication is written last below, and wins
        .values_list("object_id", "actor_id", "changes")
    )
    found = {}
    for object_id, actor_id, changes in events:
        reason = changes.get("reason", "") if isinstance(changes, dict) else ""
        found[object_id] = (actor_id, reason if isinstance(reason, str) else "")
    for object_id, (actor_id, reason) in found.items():
        Publication.objects.filter(pk=pending[object_id]).update(
            withdrawn_by_id=actor_id, withdrawal_reason=reason
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("publishing", "0006_approved_channels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="return_reason",
            field=models.TextField(blank=True, verbose_name="alasan dikembalikan"),
        ),
        migrations.AddField(
            model_name="post",
            name="returned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dikembalikan pada"),
        ),
        migrations.AddField(
            model_name="post",
            name="returned_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="dikembalikan oleh",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="withdrawal_reason",
            field=models.TextField(blank=True, verbose_name="alasan penarikan"),
        ),
        migrations.AddField(
            model_name="publication",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="ditarik oleh",
            ),
        ),
        migrations.RunPython(withdrawn_by_from_the_audit_log, migrations.RunPython.noop),
    ]
