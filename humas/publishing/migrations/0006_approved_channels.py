from django.db import migrations, models


def channels_of_past_publications(apps, schema_editor):
    """A post published before channels were part of the approval keeps, as its approved
    channels, those it was published to. A post approved but not yet published has none: it
    is published only after its channels are chosen and approved again."""
    Post = apps.get_model("publishing", "Post")
    Delivery = apps.get_model("publishing", "Delivery")
    through = Post.channels.through
    pairs = set(Delivery.objects.values_list("publication__post_id", "channel_id"))
    through.objects.bulk_create(
        [through(post_id=post_id, channel_id=channel_id) for post_id, channel_id in sorted(pairs)],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0002_oauth'),
        ('publishing', '0005_two_person_rule'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='channels',
            field=models.ManyToManyField(blank=True, related_name='+', to='channels.channel', verbose_name='kanal tujuan'),
        ),
        migrations.AddField(
            model_name='postversion',
            name='channels',
            field=models.JSONField(blank=True, default=list, verbose_name='kanal tujuan'),
        ),
        migrations.RunPython(channels_of_past_publications, migrations.RunPython.noop),
    ]
