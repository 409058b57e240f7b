"""The same order form posted twice at once yields exactly one order: the database's
partial unique index decides, not a check in Python. Needs PostgreSQL's real concurrency."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from orders.models import PukOrder

pytestmark = pytest.mark.services


def post_at_once(user, url, data, times):
    barrier = threading.Barrier(times)
    responses = [None] * times

    def post(index):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            responses[index] = client.post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return responses


def test_the_same_order_posted_twice_at_once_creates_exactly_one_order(postgresql, card):
    url = reverse("orders:new", args=[card.pk])
    data = {"blocked_codes": "both", "reason": "lost_letter", "confirmed": "on"}

    responses = post_at_once(card.holder.user, url, data, times=4)

    order = PukOrder.objects.get(card=card)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 302]
    for response in responses:
        if response.status_code == 200:
            assert reverse("orders:detail", args=[order.pk]) in response.content.decode()
