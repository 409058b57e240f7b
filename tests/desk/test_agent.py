"""The desk agent without a reader or a server: who its page answers, and the rules the
desk keeps before any APDU."""

import http.client
import re
import threading

import pytest

from cards.agent.desk import Desk, OperatorSession, Visit
from cards.agent.web import DeskServer
from cards.station.codes import Code
from cards.station.profiles import PinRole
from tests.station.fakes import FakeConnection, rs_state


class FakeApi:
    def __init__(self):
        self.calls = []

    def call(self, path, payload, token=None):
        self.calls.append(path)
        return {"known": False}


class CountingConnect:
    def __init__(self, state):
        self.conn, self.count = FakeConnection(state), 0
        self.conn.close = lambda: None

    def __call__(self):
        self.count += 1
        return self.conn


@pytest.fixture
def desk():
    connect = CountingConnect(rs_state(pin_tries_left={"legitimering": 0}))
    desk = Desk(FakeApi(), connect)
    desk.operator = OperatorSession("Olle", "token")
    desk.presence_changed(True)
    return desk


def test_no_unblock_without_an_id_check_sends_no_apdu(desk):
    sent_before = len(desk._connect.conn.sent)
    desk.unblock(PinRole.LEGITIMERING, assisted=True, puk=None, new_pin=Code("246813"), confirm=Code("246813"),
                 second_operator=None)
    assert len(desk._connect.conn.sent) == sent_before
    assert "unblocks/" not in desk.api.calls
    assert "ID-kontrollen" in desk.take_notes()[0].text


def test_an_id_check_for_another_card_does_not_count(desk):
    desk.visit = Visit(1, "1111222233334444", "Pass")
    sent_before = len(desk._connect.conn.sent)
    desk.unblock(PinRole.LEGITIMERING, assisted=False, puk=Code("12345678"), new_pin=Code("246813"),
                 confirm=Code("246813"), second_operator=None)
    assert len(desk._connect.conn.sent) == sent_before


def test_a_wrong_new_pin_is_refused_before_any_apdu(desk):
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    sent_before = len(desk._connect.conn.sent)
    desk.unblock(PinRole.LEGITIMERING, assisted=True, puk=None, new_pin=Code("246813"), confirm=Code("246814"),
                 second_operator=None)
    assert len(desk._connect.conn.sent) == sent_before
    assert "unblocks/" not in desk.api.calls


def test_removing_the_card_ends_the_visit(desk):
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk.presence_changed(False)
    assert desk.visit is None and desk.card is None


@pytest.fixture
def agent_web(desk):
    links = []
    server = DeskServer(0, desk, links.append)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.pairing.new_link(server.origin)
    yield server, links
    server.shutdown()
    server.server_close()


def request(server, method, path, host=None, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request(method, path, body=body, headers={"Host": host or f"127.0.0.1:{server.port}", **(headers or {})})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def pair(server, links):
    status, headers, _ = request(server, "GET", links[-1].removeprefix(server.origin))
    assert status == 303 and "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    return headers["Set-Cookie"].split(";")[0]


def test_only_the_paired_browser_gets_the_page(agent_web):
    server, links = agent_web
    assert request(server, "GET", "/")[0] == 403
    first_link = links[-1]
    cookie = pair(server, links)
    assert request(server, "GET", "/", headers={"Cookie": cookie})[0] == 200
    assert request(server, "GET", first_link.removeprefix(server.origin))[0] == 403  # spent
    assert request(server, "GET", "/", headers={"Cookie": "rs_desk=guess"})[0] == 403


def test_a_new_pairing_ends_the_earlier_one(agent_web):
    server, links = agent_web
    old = pair(server, links)
    new = pair(server, links)
    assert request(server, "GET", "/", headers={"Cookie": old})[0] == 403
    assert request(server, "GET", "/", headers={"Cookie": new})[0] == 200


def test_another_host_name_is_refused(agent_web):
    server, links = agent_web
    cookie = pair(server, links)
    assert request(server, "GET", "/", host=f"evil.example:{server.port}", headers={"Cookie": cookie})[0] == 403


def test_a_post_needs_the_form_token_and_this_origin(agent_web):
    server, links = agent_web
    cookie = pair(server, links)
    page = request(server, "GET", "/", headers={"Cookie": cookie})[2]
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    form = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    assert request(server, "POST", "/logga-ut", headers=form, body="csrf=wrong")[0] == 403
    other = {**form, "Origin": "http://evil.example"}
    assert request(server, "POST", "/logga-ut", headers=other, body=f"csrf={token}")[0] == 403
    ours = {**form, "Origin": server.origin}
    assert request(server, "POST", "/logga-ut", headers=ours, body=f"csrf={token}")[0] == 303
