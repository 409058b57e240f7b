from django.urls import path

from . import views, webhook

app_name = "letters"

urlpatterns = [
    # The contact person, on a failed or returned letter (under the queue's paths).
    path("att-hantera/<int:pk>/forsok-igen/", views.retry_letter, name="retry"),
    path("att-hantera/<int:pk>/skicka-igen/", views.send_again, name="send_again"),
    path("att-hantera/<int:pk>/avsluta/", views.close_returned, name="close_returned"),
    # The print house.
    path("tryckeri/status/", webhook.status_webhook, name="status_webhook"),
]
