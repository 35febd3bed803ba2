"""Images stored before unpublished images were kept private (issue #13) move to the private scheme:
originals and renditions to the private storage, public copies only for images a published article
uses. A fresh database has no images, so nothing runs there."""

from django.db import migrations


def images_to_private_scheme(apps, schema_editor):
    if not apps.get_model("portal", "ArticleImage").objects.exists():
        return
    # The files' layout is the current code's, so the current function moves them (idempotent).
    from humas.portal.images import image_publication_sync_all

    image_publication_sync_all()


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_two_person_rule")]

    operations = [migrations.RunPython(images_to_private_scheme, migrations.RunPython.noop, elidable=True)]
