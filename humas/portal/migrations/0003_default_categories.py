"""The categories every KPU office's portal starts with (more can be added in the admin)."""

from django.db import migrations

CATEGORIES = [
    ("Tahapan Pemilu", "tahapan-pemilu"),
    ("Sosialisasi dan Pendidikan Pemilih", "sosialisasi"),
    ("Data Pemilih", "data-pemilih"),
    ("Logistik", "logistik"),
    ("Hukum dan Regulasi", "hukum"),
    ("Kelembagaan", "kelembagaan"),
    ("Partisipasi Masyarakat", "partisipasi-masyarakat"),
]


def forward(apps, schema_editor):
    Category = apps.get_model("portal", "Category")
    for name, slug in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name})


def backward(apps, schema_editor):
    apps.get_model("portal", "Category").objects.filter(slug__in=[slug for _, slug in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_search_index")]
    operations = [migrations.RunPython(forward, backward)]
