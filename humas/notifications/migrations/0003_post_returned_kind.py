from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_recovered_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("token_expiry", "Token segera kedaluwarsa"),
                    ("channel_health", "Kesehatan kanal"),
                    ("delivery_problem", "Penerbitan perlu perhatian"),
                    ("channel_recovered", "Kanal kembali sehat"),
                    ("post_returned", "Unggahan dikembalikan"),
                ],
                max_length=32,
                verbose_name="jenis",
            ),
        ),
    ]
