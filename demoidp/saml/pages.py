"""The demo IdP's own pages (Swedish): the login form and short messages."""

from html import escape

from demoidp.methods import Method

_STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
    "label{display:block;margin:.5rem 0}fieldset{margin:1rem 0}.fel{color:#a00}"
)


def page(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    ).encode()


def login_page(*, token: str, sp_name: str, methods: list[Method], min_level: int, username: str, error: str) -> bytes:
    choices = "".join(
        f'<label><input type="radio" name="method" value="{escape(m.key)}"{" checked" if i == 0 else ""}> '
        f"{escape(m.label)} (tillitsnivå {m.level})</label>"
        for i, m in enumerate(methods)
    )
    demand = f"<p>Tjänsten kräver tillitsnivå {min_level} eller högre.</p>" if min_level else ""
    problem = f'<p class="fel" role="alert">{escape(error)}</p>' if error else ""
    return page(
        "Demo-IdP: logga in",
        f"<p>Du loggar in till {escape(sp_name)}.</p>{demand}{problem}"
        '<form method="post" action="/login">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<label>Användarnamn <input name="username" value="{escape(username)}" autocomplete="username"></label>'
        '<label>Lösenord <input name="password" type="password" autocomplete="current-password"></label>'
        f"<fieldset><legend>Inloggningsmetod</legend>{choices}</fieldset>"
        '<button type="submit">Logga in</button></form>',
    )


def message_page(title: str, text: str) -> bytes:
    return page(title, f"<p>{escape(text)}</p>")
