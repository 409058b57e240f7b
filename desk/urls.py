from django.urls import path

from . import api, station_login, views

app_name = "desk"

urlpatterns = [
    # The station software (cards.agent): station credential and operator token.
    path("api/station/login/", api.login, name="api_login"),
    path("api/station/login/begin/", api.begin_login, name="api_begin_login"),
    path("api/station/logout/", api.logout, name="api_logout"),
    path("api/station/card/", api.card_read, name="api_card"),
    path("api/station/id-check/", api.id_check, name="api_id_check"),
    path("api/station/unblocks/", api.start_unblock, name="api_unblock"),
    path("api/station/unblocks/<int:pk>/outcome/", api.unblock_outcome, name="api_unblock_outcome"),
    path("api/station/tickets/<uuid:ticket>/redeem/", api.redeem_ticket, name="api_redeem_ticket"),
    path("api/station/refusals/", api.desk_refusal, name="api_desk_refusal"),
    path("api/station/pin-changes/", api.pin_change, name="api_pin_change"),
    path("api/station/orders/<int:pk>/handled-at-desk/", api.close_order, name="api_close_order"),
    path("api/station/heartbeat/", api.heartbeat, name="api_heartbeat"),
    # The operator, in RS-portal.
    path("kortstation/", views.desk, name="desk"),
    # The desk PC's browser, sent by the station software to log the operator in there.
    path("kortstation/logga-in/", station_login.station_login, name="station_login"),
    # Administrators.
    path("kortstationer/rapport/", views.report, name="report"),
    path("kortstationer/halsa/", views.health, name="health"),
]
