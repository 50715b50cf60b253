"""A platform's bookings of a period (the indicators of reporting/, the platform's lists)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_waiting_list_for_sessions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["platform", "starts_at"], name="booking_platform_starts"),
        ),
    ]
