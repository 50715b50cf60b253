"""Indexes for the indicators (reporting/): a person's diagnoses and follow-ups by day, a
platform's referrals by creation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0007_beneficiary_search_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="diagnosis",
            index=models.Index(fields=["beneficiary", "held_on"], name="diagnosis_person_day"),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(fields=["beneficiary", "held_on"], name="followup_person_day"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["platform", "created_at"], name="referral_platform_created"),
        ),
    ]
