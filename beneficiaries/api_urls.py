from django.urls import path

from beneficiaries import api, referrals_api

urlpatterns = [
    path("beneficiaries/", api.BeneficiaryListApi.as_view(), name="api-beneficiary-list"),
    path(
        "beneficiaries/<int:beneficiary_id>/",
        api.BeneficiaryDetailApi.as_view(),
        name="api-beneficiary-detail",
    ),
    path(
        "beneficiaries/<int:beneficiary_id>/export/",
        api.BeneficiaryExportApi.as_view(),
        name="api-beneficiary-export",
    ),
    path(
        "beneficiaries/<int:beneficiary_id>/eligibility-checks/",
        api.EligibilityCheckApi.as_view(),
        name="api-beneficiary-eligibility",
    ),
    path(
        "beneficiaries/<int:beneficiary_id>/diagnoses/",
        api.DiagnosisApi.as_view(),
        name="api-beneficiary-diagnoses",
    ),
    path(
        "beneficiaries/<int:beneficiary_id>/follow-ups/",
        api.FollowUpApi.as_view(),
        name="api-beneficiary-follow-ups",
    ),
    path(
        "beneficiaries/<int:beneficiary_id>/consents/",
        api.ConsentApi.as_view(),
        name="api-beneficiary-consents",
    ),
    path(
        "beneficiaries/<int:beneficiary_id>/outcome/",
        api.OutcomeApi.as_view(),
        name="api-beneficiary-outcome",
    ),
    path(
        "consents/<int:consent_id>/withdraw/",
        api.ConsentWithdrawApi.as_view(),
        name="api-consent-withdraw",
    ),
    path("referrals/", referrals_api.ReferralListApi.as_view(), name="api-referral-list"),
    path(
        "referrals/<int:referral_id>/",
        referrals_api.ReferralDetailApi.as_view(),
        name="api-referral-detail",
    ),
    path(
        "referrals/<int:referral_id>/accept/",
        referrals_api.ReferralAcceptApi.as_view(),
        name="api-referral-accept",
    ),
    path(
        "referrals/<int:referral_id>/refuse/",
        referrals_api.ReferralRefuseApi.as_view(),
        name="api-referral-refuse",
    ),
    path(
        "referrals/<int:referral_id>/withdraw/",
        referrals_api.ReferralWithdrawApi.as_view(),
        name="api-referral-withdraw",
    ),
]
