from django.urls import path

from payments import api

urlpatterns = [
    path(
        "bookings/<int:booking_id>/payment/",
        api.BookingPaymentApi.as_view(),
        name="api-booking-payment",
    ),
    path("payments/", api.PaymentListApi.as_view(), name="api-payment-list"),
    path("payments/<int:payment_id>/", api.PaymentDetailApi.as_view(), name="api-payment-detail"),
    path("payments/<int:payment_id>/refund/", api.RefundApi.as_view(), name="api-payment-refund"),
    path("loans/<int:loan_id>/mandate/", api.LoanMandateApi.as_view(), name="api-loan-mandate"),
]
