from django.urls import path

from agenda import views_booking, views_kinds, views_people, views_sessions, views_staff

urlpatterns = [
    path("agenda/", views_staff.agenda_week, name="agenda_week"),
    path("agenda/lieux/", views_staff.place_list, name="agenda_places"),
    path("agenda/lieux/<int:place_id>/", views_staff.place_edit, name="agenda_place_edit"),
    path("agenda/horaires/", views_staff.rule_list, name="agenda_rules"),
    path("agenda/horaires/<int:agenda_rule_id>/", views_staff.rule_edit,
         name="agenda_rule_edit"),
    path("agenda/horaires/<int:agenda_rule_id>/supprimer/", views_staff.rule_delete,
         name="agenda_rule_delete"),
    path("agenda/types/", views_kinds.kind_list, name="agenda_kinds"),
    path("agenda/types/<int:appointment_kind_id>/", views_kinds.kind_edit,
         name="agenda_kind_edit"),
    path("agenda/fermetures/", views_staff.closure_list, name="agenda_closures"),
    path("agenda/fermetures/<int:agenda_closure_id>/supprimer/", views_staff.closure_delete,
         name="agenda_closure_delete"),
    path("agenda/personne/<int:beneficiary_id>/rendez-vous/", views_booking.book_for_person,
         name="agenda_book_person"),
    path("agenda/orientation/<int:referral_id>/rendez-vous/", views_booking.book_for_referral,
         name="agenda_book_referral"),
    path("agenda/rendez-vous/<int:appointment_id>/", views_booking.appointment_detail,
         name="agenda_appointment"),
    path("agenda/seances/", views_sessions.session_list, name="agenda_sessions"),
    path("agenda/seances/<int:session_id>/", views_sessions.session_detail,
         name="agenda_session"),
    path("agenda/seances/<int:session_id>/inscrire/", views_sessions.session_add_person,
         name="agenda_session_add"),
    path("agenda/seances/<int:session_id>/bilan/", views_sessions.session_outreach,
         name="agenda_session_outreach"),
    path("agenda/seances/<int:session_id>/places/", views_sessions.session_seats,
         name="agenda_session_seats"),
    path("agenda/seances/<int:session_id>/liste-attente/", views_sessions.session_waitlist_add,
         name="agenda_session_waitlist"),
    path("agenda/conseiller/<str:token>.ics", views_booking.adviser_feed,
         name="agenda_adviser_feed"),
    path("rendez-vous/<str:token>/", views_people.appointment_link, name="agenda_link"),
    path("rendez-vous/<str:token>/annuler/", views_people.appointment_link_cancel,
         name="agenda_link_cancel"),
    path("rendez-vous/<str:token>/deplacer/", views_people.appointment_link_move,
         name="agenda_link_move"),
]  # fmt: skip
# One URL per action of an appointment's page (each a POST).
for _segment in ("annuler", "venu", "absent", "suivi"):
    urlpatterns.append(
        path(
            f"agenda/rendez-vous/<int:appointment_id>/{_segment}/",
            views_booking.appointment_action,
            {"action": _segment},
            name=f"agenda_appointment_{_segment}",
        )
    )
