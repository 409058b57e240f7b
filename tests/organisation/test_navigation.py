"""The main menu's links by role (organisation.context_processors), remembered in the
session for a while; each page still decides its own access."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from organisation.context_processors import NAV_ROLES_SECONDS

pytestmark = pytest.mark.django_db

OPERATE_STATION = {"codename": "operate_station", "content_type__app_label": "cards"}


def menu_links(client, page="orders:my_cards"):
    page = client.get(reverse(page)).content.decode()
    menu = page[page.index('aria-label="Huvudmeny"') : page.index("</nav>")]
    links = {"queue": reverse("orders:queue"), "desk": reverse("desk:desk")}
    return {name for name, url in links.items() if url in menu}


def forget_time(client):
    session = client.session
    session["nav_roles"]["at"] -= NAV_ROLES_SECONDS
    session.save()


def test_the_menu_shows_a_new_role_once_its_time_to_remember_has_passed(employee_client, employee):
    assert menu_links(employee_client) == set()
    employee.user.user_permissions.add(Permission.objects.get(**OPERATE_STATION))

    assert menu_links(employee_client) == set()  # remembered
    forget_time(employee_client)
    assert menu_links(employee_client) == {"desk"}


def test_the_menu_counts_an_operator_permission_held_through_a_group(employee_client, employee):
    operators = Group.objects.create(name="Kortstationer Lund")
    operators.permissions.add(Permission.objects.get(**OPERATE_STATION))
    employee.user.groups.add(operators)
    assert menu_links(employee_client) == {"desk"}


def test_a_page_refuses_at_once_when_a_role_is_taken_away_while_the_menu_still_shows_it(employee_client, employee):
    employee.user.user_permissions.add(Permission.objects.get(**OPERATE_STATION))
    assert menu_links(employee_client) == {"desk"}
    employee.user.user_permissions.clear()

    assert menu_links(employee_client) == {"desk"}  # remembered
    assert employee_client.get(reverse("desk:desk")).status_code == 404


def test_the_menu_never_carries_one_users_roles_over_to_another_login(client, employee, contact_person):
    client.force_login(contact_person)
    assert menu_links(client, "orders:queue") == {"queue"}
    session = client.session
    remembered = session["nav_roles"]
    client.force_login(employee.user)
    session = client.session
    session["nav_roles"] = remembered  # as if the session had kept them
    session.save()

    assert menu_links(client) == set()
