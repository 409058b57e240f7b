from django.urls import path

from .views import contact_person, employee, on_behalf, queue

app_name = "orders"

urlpatterns = [
    # The employee.
    path("mina-kort/", employee.my_cards, name="my_cards"),
    path("bestall/<int:card_id>/", employee.order_new, name="new"),
    path("mina-bestallningar/", employee.my_orders, name="mine"),
    path("mina-bestallningar/<int:pk>/", employee.order_detail, name="detail"),
    path("mina-bestallningar/<int:pk>/aterkalla/", employee.order_cancel, name="cancel"),
    # The contact person.
    path("att-hantera/", queue.queue, name="queue"),
    path("att-hantera/export.csv", queue.queue_export, name="queue_export"),
    path("att-hantera/godkann/", queue.approve_selected, name="approve_selected"),
    path("att-hantera/<int:pk>/", queue.queue_detail, name="queue_detail"),
    path("att-hantera/<int:pk>/godkann/", queue.approve, name="approve"),
    path("att-hantera/<int:pk>/avsla/", queue.reject, name="reject"),
    path("att-hantera/bestall/", on_behalf.find_employee, name="on_behalf"),
    path("att-hantera/bestall/<int:card_id>/", on_behalf.order_for_employee, name="on_behalf_order"),
    path("att-hantera/rapport/", contact_person.report, name="report"),
    path("att-hantera/installningar/", contact_person.my_settings, name="my_settings"),
]
