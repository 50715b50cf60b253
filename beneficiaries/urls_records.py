"""The adviser's pages about the people they support, mounted at /personnes/."""

from django.urls import include, path

from beneficiaries import views_caseload, views_search
from beneficiaries import views_record_actions as actions
from beneficiaries import views_records as views

# One person's record, under /personnes/<id>/: its pages, then the one-form writes of the
# record page (POST only; they come back to the record).
record = [
    path("", views.beneficiary_detail, name="beneficiary_detail"),
    path("modifier/", views.beneficiary_edit, name="beneficiary_edit"),
    path("diagnostic/", actions.diagnosis_new, name="diagnosis_new"),
    path("historique/", views.beneficiary_timeline, name="beneficiary_timeline"),
    path("export.json", views.beneficiary_export, name="beneficiary_export"),
    path("eligibilite/", actions.record_eligibility, name="record_eligibility"),
    path("freins/<int:barrier_id>/lever/", actions.record_barrier_lift, name="record_barrier_lift"),
    path("actions/", actions.record_action_add, name="record_action_add"),
    path("actions/<int:item_id>/faite/", actions.record_action_done, name="record_action_done"),
    path("suivis/", actions.record_follow_up, name="record_follow_up"),
    path("accords/", actions.record_consent_give, name="record_consent_give"),
    path(
        "accords/<int:consent_id>/retirer/",
        actions.record_consent_withdraw,
        name="record_consent_withdraw",
    ),
    path("sortie/", actions.record_outcome, name="record_outcome"),
]

urlpatterns = [
    path("", views.beneficiary_list, name="beneficiary_list"),
    path("nouvelle/", views.beneficiary_new, name="beneficiary_new"),
    path("file-active/", views_caseload.caseload, name="caseload"),
    path("recherche/", views_search.beneficiary_search_json, name="beneficiary_search"),
    path("<int:beneficiary_id>/", include(record)),
]
