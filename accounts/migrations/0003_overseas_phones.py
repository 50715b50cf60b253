"""Phones stored by the old hand-written normaliser: "0692 12 34 56" became +33692123456.
Re-normalised with core.phones, a Réunion mobile is +262692123456 (and so on overseas)."""

from django.db import migrations

from core.phones import normalise_phone


def renormalise(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for pk, phone in User.objects.filter(phone__startswith="+33").values_list("pk", "phone"):
        fixed = normalise_phone(phone)
        if fixed != phone:
            User.objects.filter(pk=pk).update(phone=fixed)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_organisation_organisation_geo_idx")]

    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop)]
