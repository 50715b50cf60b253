from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery

HOLDING = ("requested", "confirmed", "completed", "no_show")


def copy_person_and_holding(apps, schema_editor):
    BookingSlot = apps.get_model("bookings", "BookingSlot")
    Booking = apps.get_model("bookings", "Booking")
    person = Booking.objects.filter(pk=OuterRef("booking_id")).values("beneficiary_id")[:1]
    BookingSlot.objects.update(beneficiary_id=Subquery(person))
    BookingSlot.objects.exclude(booking__status__in=HOLDING).update(holding=False)
    doubles = (
        BookingSlot.objects.filter(holding=True, slot__isnull=False)
        .values("slot_id", "beneficiary_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    if doubles.exists():
        listed = ", ".join(f"slot {d['slot_id']} × person {d['beneficiary_id']}" for d in doubles)
        raise RuntimeError(
            "Some people hold two active bookings of one slot; cancel one of each pair, then "
            f"migrate again: {listed}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0004_overseas_phones"),
        ("bookings", "0002_bookingevent_notified_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="bookingslot",
            name="beneficiary",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="beneficiaries.beneficiary",
            ),
        ),
        migrations.AddField(
            model_name="bookingslot",
            name="holding",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(copy_person_and_holding, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="bookingslot",
            name="beneficiary",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="beneficiaries.beneficiary",
            ),
        ),
        migrations.AddConstraint(
            model_name="bookingslot",
            constraint=models.UniqueConstraint(
                condition=models.Q(("holding", True)),
                fields=("slot", "beneficiary"),
                name="one_active_booking_per_person_and_slot",
            ),
        ),
    ]
