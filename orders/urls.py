from django.urls import path

from . import queue_views, views

app_name = "orders"

urlpatterns = [
    # The employee.
    path("bestall/<int:card_id>/", views.order_new, name="new"),
    path("mina-bestallningar/", views.my_orders, name="mine"),
    path("mina-bestallningar/<int:pk>/", views.order_detail, name="detail"),
    path("mina-bestallningar/<int:pk>/aterkalla/", views.order_cancel, name="cancel"),
    # The contact person.
    path("att-hantera/", queue_views.queue, name="queue"),
    path("att-hantera/godkann/", queue_views.approve_selected, name="approve_selected"),
    path("att-hantera/<int:pk>/", queue_views.queue_detail, name="queue_detail"),
    path("att-hantera/<int:pk>/godkann/", queue_views.approve, name="approve"),
    path("att-hantera/<int:pk>/avsla/", queue_views.reject, name="reject"),
]
