"""The desk agent without a reader or a server: who its page answers, and the rules the
desk keeps before any APDU."""

import http.client
import re
import threading

import pytest

from cards.agent.desk import Desk, OperatorSession, Visit
from cards.agent.web import DeskServer
from cards.reader.codes import Code
from cards.reader.errors import CardError
from cards.reader.i18n import translations
from cards.reader.pinpad import PinPad
from cards.reader.profiles import PinRole
from tests.cards.fakes import FakeConnection, FakePad, piv_state, rs_state


class FakeApi:
    """The station API as the desk sees it: answers by path, and keeps what was posted."""

    def __init__(self, puk="12345678"):
        self.calls, self.posted, self._puk = [], [], puk

    def call(self, path, payload, token=None):
        self.calls.append(path)
        self.posted.append((path, payload))
        if path == "unblocks/":
            return {"attempt": 7, "ticket": "ticket-1" if payload["assisted"] else None}
        if path == "id-check/":
            return {"visit": 1, "id_document": "Pass"}
        return {"known": False}

    def redeem(self, token, ticket, card_number):
        self.calls.append(f"tickets/{ticket}/redeem/")
        return Code(self._puk)

    def payloads(self, path):
        return [payload for posted, payload in self.posted if posted == path]


class CountingConnect:
    """transport.connect for the fake card: each connection starts on a freshly powered card."""

    def __init__(self, state):
        self.conn, self.count = FakeConnection(state), 0
        self.conn.close = lambda: None

    def __call__(self):
        self.count += 1
        self.conn.card.power_on()
        self.conn.selected = False
        return self.conn


def said(text, language="sv"):
    """A note or a problem of the desk as the page says it."""
    return text.say(translations(language))


def make_desk(state):
    desk = Desk(FakeApi(state.puk), CountingConnect(state))
    desk.operator = OperatorSession("Olle", "token")
    desk.presence_changed(True)
    return desk


@pytest.fixture
def desk():
    return make_desk(rs_state(pin_tries_left={"legitimering": 0}))


def test_no_unblock_without_an_id_check_sends_no_apdu(desk):
    sent_before = len(desk._connect.conn.sent)
    desk.unblock(
        PinRole.LEGITIMERING,
        assisted=True,
        puk=None,
        new_pin=Code("246813"),
        confirm=Code("246813"),
        second_operator=None,
    )
    assert len(desk._connect.conn.sent) == sent_before
    assert "unblocks/" not in desk.api.calls
    assert "ID-kontrollen" in said(desk.take_notes()[0].text)


def test_an_id_check_for_another_card_does_not_count(desk):
    desk.visit = Visit(1, "1111222233334444", "Pass")
    sent_before = len(desk._connect.conn.sent)
    desk.unblock(
        PinRole.LEGITIMERING,
        assisted=False,
        puk=Code("12345678"),
        new_pin=Code("246813"),
        confirm=Code("246813"),
        second_operator=None,
    )
    assert len(desk._connect.conn.sent) == sent_before


def test_a_wrong_new_pin_is_refused_before_any_apdu(desk):
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    sent_before = len(desk._connect.conn.sent)
    desk.unblock(
        PinRole.LEGITIMERING,
        assisted=True,
        puk=None,
        new_pin=Code("246813"),
        confirm=Code("246814"),
        second_operator=None,
    )
    assert len(desk._connect.conn.sent) == sent_before
    assert "unblocks/" not in desk.api.calls


SELECT, VERIFY, RRC, GET_DATA, GET_DATA_ODD = 0xA4, 0x20, 0x2C, 0xCA, 0xCB
L = PinRole.LEGITIMERING


def unblock_with_the_holders_puk(desk, puk="12345678", new="246813", confirm=None):
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk._connect.conn.sent.clear()
    desk.unblock(
        L, assisted=False, puk=Code(puk), new_pin=Code(new), confirm=Code(confirm or new), second_operator=None
    )
    return desk._connect.conn.ins_sent


def test_a_desk_unblock_sends_only_the_apdus_it_needs(desk):
    # which card and the PUK's tries; RESET RETRY COUNTER and the proof; the PUK's counter again
    assert unblock_with_the_holders_puk(desk) == [SELECT, GET_DATA, VERIFY, RRC, VERIFY, VERIFY]
    reading = desk.card.reading
    assert (reading.pins[L].left, reading.pins[PinRole.UNDERSKRIFT].left, reading.puk.left) == (3, 3, 10)
    assert desk.api.payloads("unblocks/7/outcome/") == [{"result": "done", "tries_left": 3}]
    assert desk.api.calls.count("card/") == 1  # the registry was asked at insertion, not again


def test_a_desk_unblock_of_a_piv_card_sends_four_apdus():
    desk = make_desk(piv_state(pin_tries_left={"legitimering": 0}))
    assert unblock_with_the_holders_puk(desk, puk="87654321") == [SELECT, GET_DATA_ODD, RRC, VERIFY]
    assert desk.card.reading.pins[PinRole.UNDERSKRIFT].left == 3  # one PIN for both roles


def test_a_wrong_puk_at_the_desk_shows_the_tries_left_without_reading_again(desk):
    assert unblock_with_the_holders_puk(desk, puk="00000000") == [SELECT, GET_DATA, VERIFY, RRC]
    assert desk.card.reading.puk.left == 9 and desk.card.reading.pins[L].left == 0
    assert "Nio försök kvar" in said(desk.take_notes()[-1].text)


def assisted_unblock(desk, new="246813"):
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk.unblock(L, assisted=True, puk=None, new_pin=Code(new), confirm=Code(new), second_operator=None)


@pytest.mark.parametrize("answer", [CardError.status(0x6A88), b"\x90"])  # an error, or no status word at all
def test_an_unexpected_card_answer_after_the_puk_was_released_is_still_reported(desk, answer):
    desk._connect.conn.answer_at_ins = {RRC: answer}
    assisted_unblock(desk)
    calls = desk.api.calls
    assert calls[calls.index("unblocks/") :][:3] == ["unblocks/", "tickets/ticket-1/redeem/", "unblocks/7/outcome/"]
    assert desk.api.payloads("unblocks/7/outcome/") == [{"result": "card_error", "tries_left": None}]
    note = desk.take_notes()[-1]
    assert note.kind == "error" and said(note.text).startswith("Kortet svarade inte som väntat.")
    assert said(note.text).endswith("ring IT-supporten och uppge felkod KS-205.") and "6A88" not in said(note.text)


def test_a_card_pulled_during_pad_entry_is_reported_as_removed():
    desk = make_desk(rs_state(pin_tries_left={"legitimering": 0}))
    desk._connect.conn.pinpad = PinPad(0x42330006, 0x42330007)
    desk._connect.conn.pad = FakePad("pull")
    desk.card.pinpad = desk._connect.conn.pinpad
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk.unblock(L, assisted=False, puk=None, new_pin=None, confirm=None, second_operator=None)
    assert desk.api.payloads("unblocks/7/outcome/") == [{"result": "card_removed", "tries_left": None}]
    assert "Kortet togs ut innan åtgärden var klar" in said(desk.take_notes()[-1].text)


def refusals(desk):
    return [(p["refusal"], p["card_number"]) for p in desk.api.payloads("refusals/")]


def test_the_desks_own_refusals_are_reported_to_the_server(desk):
    number = desk.card.reading.card_number
    desk.unblock(L, assisted=True, puk=None, new_pin=Code("246813"), confirm=Code("246813"), second_operator=None)
    unblock_with_the_holders_puk(desk, new="24681")
    unblock_with_the_holders_puk(desk, puk="1234")
    assert refusals(desk) == [("no_id_check", number), ("new_pin_refused", number), ("code_malformed", number)]
    assert "unblocks/" not in desk.api.calls


def test_another_card_in_the_reader_is_refused_and_reported():
    desk = make_desk(rs_state(pin_tries_left={"legitimering": 0}))
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk._connect.conn.card.state.card_number = "9752209999999999"  # swapped faster than the watcher saw
    desk.unblock(
        L, assisted=False, puk=Code("12345678"), new_pin=Code("246813"), confirm=Code("246813"), second_operator=None
    )
    assert refusals(desk) == [("other_card", "9752201234567890")]
    assert desk._connect.conn.ins_sent.count(RRC) == 0 and desk.visit is None


def test_a_blocked_puk_is_refused_and_reported():
    desk = make_desk(rs_state(pin_tries_left={"legitimering": 0}, puk_tries_left=0))
    assert unblock_with_the_holders_puk(desk) == [SELECT, GET_DATA, VERIFY]
    assert refusals(desk) == [("puk_blocked", desk.card.reading.card_number)]
    assert "kortet måste bytas ut" in said(desk.take_notes()[-1].text)


def test_a_lost_reader_is_told_in_words_until_the_watcher_sees_it_again(desk):
    from cards.reader.errors import ReaderGone

    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk.reader_lost(ReaderGone("Virtual PCD 00 00"))
    generation = desk.generation
    desk.reader_lost(ReaderGone("Virtual PCD 00 00"))  # the watcher's next try: nothing new to draw
    assert desk.generation == generation
    assert (desk.present, desk.card, desk.visit) == (False, None, None)
    assert said(desk.reader_problem) == (
        "Kortläsaren kopplades bort. Koppla i den igen (sitter den i: koppla ur den och i igen) och vänta några "
        "sekunder. Hjälper inte det: ring IT-supporten och uppge felkod KS-106."
    )
    desk.presence_changed(True)
    assert desk.reader_problem is None and desk.card is not None


CRD = 0x24
U = PinRole.UNDERSKRIFT


def test_a_pin_change_at_the_desk_sets_the_pin_and_is_reported(desk):
    conn = desk._connect.conn
    conn.sent.clear()
    desk.change_pin(U, Code("222222"), Code("135790"), Code("135790"))
    assert conn.card.state.pins["underskrift"] == "135790"
    assert conn.ins_sent == [SELECT, CRD]  # and nothing read again: the outcome tells
    assert desk.api.payloads("pin-changes/") == [
        {"card_number": "9752201234567890", "pin": "underskrift", "result": "done", "tries_left": 3}
    ]
    assert said(desk.take_notes()[-1].text) == "PIN-koden för underskrift är ändrad. Tre försök kvar."


def test_a_wrong_current_pin_at_the_desk_shows_and_reports_the_tries_left(desk):
    desk.change_pin(U, Code("999999"), Code("135790"), Code("135790"))
    assert (
        desk.api.payloads("pin-changes/")[-1] | {"result": "wrong_pin", "tries_left": 2}
        == desk.api.payloads("pin-changes/")[-1]
    )
    assert desk.card.reading.pins[U].left == 2 and said(desk.take_notes()[-1].text) == "Fel PIN-kod. Två försök kvar."


def test_a_new_pin_of_the_wrong_form_at_the_desk_sends_nothing(desk):
    conn = desk._connect.conn
    conn.sent.clear()
    desk.change_pin(U, Code("222222"), Code("13579"), Code("13579"))
    assert conn.sent == [] and conn.card.state.pins["underskrift"] == "222222"
    assert desk.api.payloads("pin-changes/")[-1]["result"] == "new_pin_refused"


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


def test_the_page_asks_for_codes_only_where_the_reader_cannot_take_them(desk):
    from cards.agent import page

    def sections():
        html = page.render(desk, "csrf")
        unblock, change = html.split('id="unblock"')[1].split('id="change-pin"')
        holder, assisted = unblock.split("Assisterad upplåsning", 1)
        return holder, assisted, change

    desk.card.pinpad = PinPad(modify_control=0x42330007)  # a pad that changes PINs but cannot unblock
    holder, assisted, change = sections()
    assert 'name="puk"' in holder and 'name="new_pin"' not in holder + assisted and 'name="old_pin"' not in change
    desk.card.pinpad = PinPad(0x42330006, 0x42330007)
    holder, assisted, change = sections()
    assert 'name="puk"' not in holder and "knappsatsen" in holder and 'name="new_pin"' not in assisted
    desk.card.pinpad = PinPad()
    holder, assisted, change = sections()
    assert 'name="puk"' in holder and 'name="new_pin"' in holder and 'name="new_pin"' in assisted


def test_an_assisted_unblock_on_a_pin_pad_takes_the_new_pin_there_and_the_puk_from_the_server():
    desk = make_desk(rs_state(pin_tries_left={"legitimering": 0}))
    conn = desk._connect.conn
    conn.pinpad = desk.card.pinpad = PinPad(0x42330006, 0x42330007)
    conn.pad = FakePad("246813", "246813")
    desk.visit = Visit(1, desk.card.reading.card_number, "Pass")
    desk.unblock(L, assisted=True, puk=None, new_pin=None, confirm=None, second_operator=None)
    assert "tickets/ticket-1/redeem/" in desk.api.calls
    assert desk.api.payloads("unblocks/7/outcome/") == [{"result": "done", "tries_left": 3}]
    assert conn.card.state.pins["legitimering"] == "246813" and RRC in conn.ins_sent
    assert [code for code, _ in conn.controls] == [conn.pinpad.modify_control]


@pytest.mark.parametrize(
    "url",
    [
        "https://rs-portal.skane.se",
        "http://127.0.0.1:8000",
        "http://localhost:8000/",
        "http://[::1]:8000",
        "http://127.0.0.2",
    ],
)
def test_the_agent_talks_to_an_https_server_or_to_this_machine(url):
    from cards.agent.server import StationApi

    assert StationApi(url, "credential").base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://rs-portal.skane.se",
        "http://10.0.0.5:8000",
        "ftp://rs-portal.skane.se",
        "https://",
        "rs-portal.skane.se",
        "http://127.0.0.1.evil.example",
    ],
)
def test_the_agent_refuses_a_server_it_would_talk_to_in_clear(url, tmp_path, capsys):
    from cards.agent import __main__ as agent_main
    from cards.agent.server import InsecureServer, StationApi

    with pytest.raises(InsecureServer):
        StationApi(url, "credential")
    key = tmp_path / "station.credential"
    key.write_text("credential")
    assert agent_main.main(["--server", url, "--station-credential-file", str(key), "--port", "0"]) == 2
    assert "ska nås över https" in capsys.readouterr().err


def test_logging_out_at_the_desk_ends_the_token_on_the_server(desk):
    desk.log_out()
    assert desk.api.posted[-1] == ("logout/", {}) and desk.operator is None and desk.card is None


def test_a_login_the_server_ended_logs_the_operator_out_at_the_desk(desk):
    from cards.agent.server import ServerRefused
    from cards.reader.i18n import verbatim

    def denied(path, payload, token=None):
        raise ServerRefused("denied", verbatim("Kortstationen eller operatören är inte behörig."))

    desk.api.call = denied
    desk.record_id_check("passport")
    assert desk.operator is None
    assert [said(n.text) for n in desk.take_notes()] == [
        "Inloggningen vid kortstationen gäller inte längre. Logga in igen."
    ]


def test_reading_the_card_again_reads_it_and_asks_the_server_once(desk):
    conn = desk._connect.conn
    desk.api.calls.clear()
    conn.card.state.pin_tries_left["legitimering"] = 2  # the card changed since it was read
    desk.read_again()
    assert desk.api.calls == ["card/"]
    assert desk.card.reading.pins[PinRole.LEGITIMERING].left == 2


def test_reading_again_without_a_card_or_an_operator_says_what_is_missing(desk):
    desk.presence_changed(False)
    desk.read_again()
    assert said(desk.take_notes()[-1].text) == "Sätt i kortet i kortläsaren."
    desk.operator = None
    desk.read_again()
    assert said(desk.take_notes()[-1].text) == "Logga in först."
