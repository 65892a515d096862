from django.db import migrations


def create_guardian_tag(apps, schema_editor):
    """The guardianship service's pathway, so a directory entry can say it receives child
    trafficking guardian referrals (who_to_call lists it after Children's Services)."""
    Tag = apps.get_model("contacts", "Tag")
    Tag.objects.get_or_create(kind="pathway", code="guardian")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_tags")]

    operations = [migrations.RunPython(create_guardian_tag, migrations.RunPython.noop)]
