"""Phones stored by the old hand-written normaliser: "0692 12 34 56" became +33692123456.
Re-normalised with core.phones, a Réunion mobile is +262692123456 (and so on overseas)."""

from django.db import migrations

from core.phones import normalise_phone


def renormalise(apps, schema_editor):
    for name in ("Beneficiary", "Referral"):
        model = apps.get_model("beneficiaries", name)
        rows = model.objects.filter(phone__startswith="+33").values_list("pk", "phone")
        for pk, phone in rows:
            fixed = normalise_phone(phone)
            if fixed != phone:
                model.objects.filter(pk=pk).update(phone=fixed)


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0003_action_order")]

    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop)]
