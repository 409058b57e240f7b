"""The Kortstation page, drawn from the desk's state (pure: state in, HTML out).

Every value is escaped. No code value is ever put into the page: the forms' code
fields are always empty when drawn.
"""

from __future__ import annotations

from html import escape

from cards.reader import messages
from cards.reader.profiles import PinRole

from .desk import ID_DOCUMENTS, Desk

PIN_CHOICES = "".join(f'<option value="{r.value}">{escape(messages.PIN_NAMES[r])}</option>' for r in PinRole)
CODE = 'type="password" inputmode="numeric" autocomplete="off"'


def render(desk: Desk, csrf: str) -> str:
    parts = [_notes(desk), _reader(desk)]
    if desk.operator is None:
        parts.append(_login(csrf))
    else:
        parts.append(_who(desk, csrf))
        parts.append(_card(desk))
        if desk.card is not None:
            parts += [_id_check(desk, csrf), _orders(desk, csrf), _unblock(desk, csrf), _change_pin(desk, csrf)]
    return _document(desk.generation, "".join(parts))


def _document(generation: int, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Kortstation – RS-portal</title>
<link rel="stylesheet" href="/desk.css"><script src="/desk.js" defer></script></head>
<body data-generation="{generation}"><header><strong>Kortstation</strong> – RS-portal</header>
<main>{body}</main></body></html>"""


def _form(action: str, csrf: str, inner: str, label: str, name: str = "") -> str:
    aria = f' aria-label="{escape(name)}"' if name else ""
    return (f'<form method="post" action="{action}"{aria}><input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'{inner}<button type="submit">{escape(label)}</button></form>')


def _field(label: str, name: str, attrs: str = 'type="text"') -> str:
    return f'<label>{escape(label)} <input name="{name}" {attrs}></label>'


def _notes(desk: Desk) -> str:
    notes = desk.take_notes()
    if not notes:
        return ""
    items = "".join(f'<li class="{n.kind}">{escape(n.text)}</li>' for n in notes)
    return f'<ul class="notes" role="status">{items}</ul>'


def _login(csrf: str) -> str:
    inner = _field("Användarnamn", "username", 'type="text" autocomplete="username"') + _field(
        "Lösenord", "password", 'type="password" autocomplete="current-password"')
    return "<h1>Logga in vid kortstationen</h1>" + _form("/logga-in", csrf, inner, "Logga in")


def _who(desk: Desk, csrf: str) -> str:
    out = _form("/logga-ut", csrf, "", "Logga ut")
    return f'<p class="who">Operatör: {escape(desk.operator.name)} · {escape(desk.station)}</p>{out}'


def _reader(desk: Desk) -> str:
    if not desk.reader_problem:
        return ""
    return (f'<section id="reader"><h1>Kortläsaren går inte att använda</h1><p>{escape(desk.reader_problem)}</p>'
            "<p>Kortstationen försöker igen av sig själv.</p></section>")


def _card(desk: Desk) -> str:
    if desk.reader_problem:
        return ""
    if not desk.present:
        return '<section id="card"><h1>Inget kort i läsaren</h1><p>Sätt i kortet.</p></section>'
    if desk.card is None:
        return f'<section id="card"><h1>Kort i läsaren</h1><p>{escape(desk.card_problem or "Läser kortet …")}</p></section>'
    lines = "".join(f"<li>{escape(line)}</li>" for line in messages.describe_reading(desk.card.reading))
    registry = desk.card.registry
    if registry.get("known"):
        facts = (f"<li>Innehavare: {escape(registry['holder'])}</li><li>Korttyp i registret: {escape(registry['card_type'])}</li>"
                 f"<li>Status i registret: {escape(registry['status'])}, giltigt till {escape(registry['valid_to'])}</li>")
        if not registry["active"]:
            facts += "<li><strong>Kortet är inte giltigt i registret.</strong></li>"
    else:
        facts = f"<li><strong>{escape(registry.get('problem', 'Kortet finns inte i kortregistret.'))}</strong></li>"
    pad = "<li>Kortläsaren har knappsats: koderna slås in på den.</li>" if desk.card.pinpad.changes else ""
    return f'<section id="card"><h1>Kort i läsaren</h1><ul>{lines}{facts}{pad}</ul></section>'


def _id_check(desk: Desk, csrf: str) -> str:
    if desk.visit is not None:
        return f'<section id="id-check"><h2>ID-kontroll</h2><p>Gjord: {escape(desk.visit.document)}.</p></section>'
    options = "".join(f'<option value="{k}">{escape(v)}</option>' for k, v in ID_DOCUMENTS.items())
    inner = (f'<label>Id-handling <select name="id_document"><option value="">Välj …</option>{options}</select></label>'
             "<p>Skriv inte in id-handlingens nummer: bara vilken sorts handling som visades.</p>")
    return '<section id="id-check"><h2>ID-kontroll</h2>' + _form("/id-kontroll", csrf, inner, "Registrera ID-kontrollen") + "</section>"


def _orders(desk: Desk, csrf: str) -> str:
    orders = desk.card.registry.get("orders") or []
    if not orders:
        return ""
    rows = []
    for order in orders:
        text = f"{escape(order['reference'])} ({escape(order['card'])}): {escape(order['state'])}"
        if order["closable"]:
            inner = f'<input type="hidden" name="order" value="{int(order["id"])}">'
            text += _form("/stang-bestallning", csrf, inner, "Stäng beställningen: hanterad på kortstationen")
        else:
            text += " – kodbrevet är redan på väg."
        rows.append(f"<li>{text}</li>")
    return f'<section id="orders"><h2>Öppen beställning av PUK-brev</h2><ul>{"".join(rows)}</ul></section>'


def _new_pin_fields() -> str:
    return _field("Ny PIN-kod (6 siffror)", "new_pin", CODE) + _field("Ny PIN-kod igen", "new_pin_confirm", CODE)


def _second_operator(desk: Desk) -> str:
    left = desk.card.reading.puk.left
    if left is not None and left > 2:
        return ""
    why = "PUK-koden har två försök kvar eller färre" if left is not None else "Kortet visar inte PUK-kodens försök"
    return (f"<fieldset><legend>{why}: en annan operatör bekräftar</legend>"
            + _field("Andra operatörens användarnamn", "second_username")
            + _field("Andra operatörens lösenord", "second_password", 'type="password" autocomplete="off"')
            + "</fieldset>")


def _unblock(desk: Desk, csrf: str) -> str:
    pick = f'<label>PIN-kod <select name="pin">{PIN_CHOICES}</select></label>'
    second = _second_operator(desk)
    pad = desk.card.pinpad
    new_pin = ("<p>Kortinnehavaren slår in den nya PIN-koden två gånger på knappsatsen, när den ber om den.</p>"
               if pad.changes else _new_pin_fields())
    if pad.unblocks:
        holder = pick + second + ("<p>Kortinnehavaren slår in PUK-koden på knappsatsen och sedan den nya PIN-koden"
                                  " två gånger. Knappsatsen tar bara emot rätt antal siffror.</p>")
    else:
        holder = pick + _field("PUK-kod (kortinnehavaren skriver)", "puk", CODE) + new_pin + second
    assisted = pick + new_pin + second + (
        "<p>Kortinnehavaren har inget PUK-brev: PUK-koden hämtas från RS-portal direkt till kortet och visas aldrig.</p>")
    return ('<section id="unblock"><h2>Lås upp PIN-kod</h2>'
            + _form("/las-upp", csrf, "<h3>Med kortinnehavarens PUK-kod</h3>" + holder,
                    "Lås upp med kortinnehavarens PUK-kod", "Med kortinnehavarens PUK-kod")
            + _form("/las-upp-assisterat", csrf, "<h3>Utan PUK-brev</h3>" + assisted,
                    "Assisterad upplåsning", "Assisterad upplåsning")
            + "</section>")


def _change_pin(desk: Desk, csrf: str) -> str:
    pick = f'<label>PIN-kod <select name="pin">{PIN_CHOICES}</select></label>'
    inner = pick if desk.card.pinpad.changes else pick + _field("Nuvarande PIN-kod", "old_pin", CODE) + _new_pin_fields()
    return '<section id="change-pin"><h2>Ändra PIN-kod</h2>' + _form("/andra-pin", csrf, inner, "Ändra PIN-koden") + "</section>"


# Draws the page again when the desk changes (a card put in or taken out). Not once a
# form is sent: the act changes the desk while it runs, and a reload then would race the
# form's own answer, and the act's message, shown once, could go to the page replaced.
SCRIPT = """(function () {
  var shown = document.body.dataset.generation, sent = false;
  document.addEventListener("submit", function () { sent = true; });
  function poll() {
    if (sent) { return; }
    fetch("/tillstand", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (!sent && String(s.generation) !== shown) { location.replace("/"); } })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 500); });
  }
  setTimeout(poll, 500);
})();
"""

STYLE = """body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b}header{background:#0a5a8c;color:#fff;padding:.6rem 1rem}
main{max-width:48rem;margin:1rem auto;padding:0 1rem}section{border:1px solid #ccc;border-radius:.4rem;padding:.5rem 1rem;margin:1rem 0}
label{display:block;margin:.4rem 0}form{margin:.5rem 0}.notes li.ok{color:#05660d}.notes li.error{color:#a00}
fieldset{border:1px dashed #a60;margin:.5rem 0}h3{font-size:1rem;margin:.8rem 0 .2rem}button{padding:.3rem .8rem}
"""
