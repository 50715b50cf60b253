from django.contrib import admin

from beneficiaries.models import Beneficiary


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "platform", "adviser", "status"]
    list_filter = ["status", "situation", "platform"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["user", "adviser"]
