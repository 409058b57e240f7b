from django.urls import path

from . import letter_views, on_behalf_views, preferences_views, print_house_views, queue_views, report_views, views

app_name = "orders"

urlpatterns = [
    # The employee.
    path("bestall/<int:card_id>/", views.order_new, name="new"),
    path("mina-bestallningar/", views.my_orders, name="mine"),
    path("mina-bestallningar/<int:pk>/", views.order_detail, name="detail"),
    path("mina-bestallningar/<int:pk>/aterkalla/", views.order_cancel, name="cancel"),
    # The contact person.
    path("att-hantera/", queue_views.queue, name="queue"),
    path("att-hantera/export.csv", queue_views.queue_export, name="queue_export"),
    path("att-hantera/godkann/", queue_views.approve_selected, name="approve_selected"),
    path("att-hantera/<int:pk>/", queue_views.queue_detail, name="queue_detail"),
    path("att-hantera/<int:pk>/godkann/", queue_views.approve, name="approve"),
    path("att-hantera/<int:pk>/avsla/", queue_views.reject, name="reject"),
    path("att-hantera/bestall/", on_behalf_views.find_employee, name="on_behalf"),
    path("att-hantera/bestall/<int:card_id>/", on_behalf_views.order_for_employee, name="on_behalf_order"),
    path("att-hantera/rapport/", report_views.report, name="report"),
    path("att-hantera/installningar/", preferences_views.my_settings, name="my_settings"),
    path("att-hantera/<int:pk>/forsok-igen/", letter_views.retry_letter, name="retry_letter"),
    path("att-hantera/<int:pk>/skicka-igen/", letter_views.send_again, name="send_again"),
    path("att-hantera/<int:pk>/avsluta/", letter_views.close_returned, name="close_returned"),
    # The print house.
    path("tryckeri/status/", print_house_views.status_webhook, name="print_house_status"),
]
