"""The adviser's pages about the people they support, mounted at /personnes/."""

from django.urls import path

from beneficiaries import views_caseload
from beneficiaries import views_record_actions as actions
from beneficiaries import views_records as views

urlpatterns = [
    path("", views.beneficiary_list, name="beneficiary_list"),
    path("nouvelle/", views.beneficiary_new, name="beneficiary_new"),
    path("file-active/", views_caseload.caseload, name="caseload"),
    path("<int:beneficiary_id>/", views.beneficiary_detail, name="beneficiary_detail"),
    path("<int:beneficiary_id>/modifier/", views.beneficiary_edit, name="beneficiary_edit"),
    path("<int:beneficiary_id>/diagnostic/", actions.diagnosis_new, name="diagnosis_new"),
    path(
        "<int:beneficiary_id>/historique/", views.beneficiary_timeline, name="beneficiary_timeline"
    ),
    path("<int:beneficiary_id>/export.json", views.beneficiary_export, name="beneficiary_export"),
    # One-form writes of the record page (POST only; they come back to the record).
    path(
        "<int:beneficiary_id>/eligibilite/", actions.record_eligibility, name="record_eligibility"
    ),
    path(
        "<int:beneficiary_id>/freins/<int:barrier_id>/lever/",
        actions.record_barrier_lift,
        name="record_barrier_lift",
    ),
    path("<int:beneficiary_id>/actions/", actions.record_action_add, name="record_action_add"),
    path(
        "<int:beneficiary_id>/actions/<int:item_id>/faite/",
        actions.record_action_done,
        name="record_action_done",
    ),
    path("<int:beneficiary_id>/suivis/", actions.record_follow_up, name="record_follow_up"),
    path("<int:beneficiary_id>/accords/", actions.record_consent_give, name="record_consent_give"),
    path(
        "<int:beneficiary_id>/accords/<int:consent_id>/retirer/",
        actions.record_consent_withdraw,
        name="record_consent_withdraw",
    ),
    path("<int:beneficiary_id>/sortie/", actions.record_outcome, name="record_outcome"),
]
