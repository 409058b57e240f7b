"""Where each role lands after logging in, and what every page's head gives the browser."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.desk.conftest import make_operator, make_station
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_without_another_role_lands_in_the_admin_not_at_the_card_station(client):
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    assert client.get(reverse("home")).url == reverse("admin:index")
    assert reverse("desk:desk") not in client.get(reverse("desk:report")).content.decode()  # no Kortstation link


def test_staff_without_another_role_lands_in_the_admin(client):
    client.force_login(UserFactory(username="ada", is_staff=True))
    assert client.get(reverse("home")).url == reverse("admin:index")


def test_an_administrator_made_an_operator_lands_at_the_card_station(client):
    ada = make_operator("ada", make_station("Kortstation Lund"))
    ada.is_staff = ada.is_superuser = True
    ada.save()
    client.force_login(ada)
    assert client.get(reverse("home")).url == reverse("desk:desk")


def test_a_superuser_not_made_an_operator_does_not_work_at_a_card_station(client):
    ada = UserFactory(username="ada", is_staff=True, is_superuser=True)
    make_station("Kortstation Lund").operators.add(ada)  # on the list, without the permission
    client.force_login(ada)
    assert client.get(reverse("desk:desk")).status_code == 404
    ada.user_permissions.add(Permission.objects.get(codename="operate_station", content_type__app_label="cards"))
    client.force_login(ada)
    assert client.get(reverse("desk:desk")).status_code == 200


def test_a_user_without_a_role_sees_the_start_page(client):
    client.force_login(UserFactory(username="nisse"))
    assert client.get(reverse("home")).status_code == 200


def test_every_page_names_an_icon_that_exists_and_favicon_ico_leads_to_it(client):
    page = client.get(reverse("login")).content.decode()
    (href,) = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert href.startswith("/static/") and finders.find(href.removeprefix("/static/"))
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == href
