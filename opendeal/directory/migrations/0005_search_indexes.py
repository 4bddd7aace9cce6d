# Search indexes: latitude and longitude for the radius search's bounding box, and the full-text
# index (a GIN expression index on PostgreSQL; an FTS5 table with triggers on SQLite).

from django.db import migrations, models


def create_full_text_index(apps, schema_editor):
    from opendeal.directory.fulltext import ensure_full_text_index

    ensure_full_text_index(schema_editor.connection.alias)


def drop_full_text_index(apps, schema_editor):
    from opendeal.directory.fulltext import drop_full_text_index

    drop_full_text_index(schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0004_listing_moderation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='location',
            name='latitude',
            field=models.DecimalField(blank=True, db_index=True, decimal_places=6, max_digits=9, null=True),
        ),
        migrations.AlterField(
            model_name='location',
            name='longitude',
            field=models.DecimalField(blank=True, db_index=True, decimal_places=6, max_digits=9, null=True),
        ),
        migrations.RunPython(create_full_text_index, drop_full_text_index, elidable=False),
    ]
