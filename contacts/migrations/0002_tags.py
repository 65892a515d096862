from django.db import migrations

CATEGORIES = [
    "emergency",
    "helpline",
    "police",
    "childrens_services",
    "adult_social_care",
    "competent_authority",
    "first_responder",
    "victim_support",
    "legal",
    "health",
    "interpreting",
    "labour_rights",
    "other",
]
PATHWAYS = ["nrm", "duty_to_notify", "childrens_services", "police", "support_service", "other"]


def create_tags(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    for kind, codes in (("category", CATEGORIES), ("pathway", PATHWAYS)):
        for code in codes:
            Tag.objects.get_or_create(kind=kind, code=code)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_directory")]

    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
