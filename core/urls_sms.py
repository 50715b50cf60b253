from django.urls import path

from core import views_sms

urlpatterns = [
    path("status/", views_sms.status_callback, name="sms_status_callback"),
    path("inbound/", views_sms.inbound_callback, name="sms_inbound_callback"),
]
