"""Every act the audit trail records, in one enumeration with its words.

The labels are what the order's timeline, the desk report and the admin show; `record`
takes nothing else, so an action without words cannot be recorded.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # The order and its decision (orders.services, orders.transitions, orders.escalation).
    ORDER_SUBMITTED = "order_submitted", _("Beställningen skickades in")
    ORDER_CANCELLED = "order_cancelled", _("Beställningen återkallades")
    ORDER_FIRST_APPROVAL = (
        "order_first_approval",
        _("Beställningen godkändes en första gång och väntar på ett andra godkännande"),
    )
    ORDER_APPROVED = "order_approved", _("Beställningen godkändes")
    ORDER_REJECTED = "order_rejected", _("Beställningen avslogs")
    ORDER_REMINDER_SENT = (
        "order_reminder_sent",
        _("Påminnelse till kontaktpersonerna: beslutet dröjer längre än målet"),
    )
    ORDER_ESCALATED_TO_SUBSTITUTES = (
        "order_escalated_to_substitutes",
        _("Påminnelse till ersättarna: beslutet dröjer fortfarande"),
    )
    ORDER_SENT_TO_CENTRAL_QUEUE = (
        "order_sent_to_central_queue",
        _("Beställningen gick till Region Skånes RS-kortadministratörer: förvaltningen har för få kontaktpersoner"),
    )
    ORDER_CLOSED = "order_closed", _("Beställningen avslutades")
    ORDER_HANDLED_AT_DESK = (
        "order_handled_at_desk",
        _("Innehavaren fick hjälp vid en kortstation; inget kodbrev behövs"),
    )
    # The letter's journey (letters, through orders.transitions).
    LETTER_QUEUED = "letter_queued", _("Kodbrevet skapades och lämnades till tryckeriet")
    LETTER_FAILED = "letter_failed", _("Kodbrevet kunde inte skapas")
    LETTER_RETRIED = "letter_retried", _("Nytt försök att skapa kodbrevet")
    LETTER_PRINTED = "letter_printed", _("Kodbrevet skrevs ut")
    LETTER_POSTED = "letter_posted", _("Kodbrevet skickades")
    LETTER_DELIVERED = "letter_delivered", _("Kodbrevet lämnades ut")
    LETTER_RETURNED = "letter_returned", _("Kodbrevet kom tillbaka")
    LETTER_SENT_AGAIN = "letter_sent_again", _("Ett nytt kodbrev beställdes")
    # The support desk (desk.services).
    DESK_LOGIN = "desk_login", _("Operatören loggade in vid kortstationen")
    DESK_LOGIN_REFUSED = "desk_login_refused", _("Inloggning vid kortstationen nekades")
    DESK_LOGOUT = "desk_logout", _("Operatören loggade ut från kortstationen")
    DESK_CARD_READ = "desk_card_read", _("Kortet lästes av vid kortstationen")
    DESK_ID_CHECKED = "desk_id_checked", _("Innehavarens id-handling kontrollerades")
    DESK_REFUSED = "desk_refused", _("Kortstationen nekade åtgärden")
    DESK_UNBLOCK_STARTED = "desk_unblock_started", _("Upplåsning påbörjades")
    DESK_TICKET_ISSUED = "desk_ticket_issued", _("PUK-biljett utfärdades")
    DESK_TICKET_USED = "desk_ticket_used", _("PUK-biljett användes")
    DESK_TICKET_REFUSED = "desk_ticket_refused", _("PUK-biljett nekades")
    DESK_TICKET_EXPIRED = "desk_ticket_expired", _("PUK-biljett gick ut oanvänd")
    DESK_SECOND_OPERATOR_CONFIRMED = "desk_second_operator_confirmed", _("En andra operatör bekräftade")
    DESK_LIMIT_REACHED = "desk_limit_reached", _("Gränsen för assisterade upplåsningar nåddes")
    DESK_LIMIT_ALERTED = "desk_limit_alerted", _("Administratörerna larmades om gränsen")
    DESK_UNBLOCK_OUTCOME = "desk_unblock_outcome", _("Upplåsningens utfall")
    DESK_PIN_CHANGED = "desk_pin_changed", _("PIN-kod ändrades vid kortstationen")
    # Rights that end (organisation.services, desk.services) and the register extract (records).
    RIGHT_ENDED = "right_ended", _("Behörigheten upphörde: dess giltighetstid gick ut")
    STRAY_PERMISSIONS_REMOVED = (
        "stray_permissions_removed",
        _("Behörigheter på förvaltningen utan gällande kontaktpersonsuppdrag togs bort"),
    )
    REGISTER_EXTRACT_PRODUCED = "register_extract_produced", _("Ett registerutdrag togs fram")
    # The card system's mirror (registers, through cards.services and letters.services).
    CARD_REGISTERED = "card_registered", _("Kortet hämtades från kortsystemet")
    CARD_CHANGED_IN_REGISTER = "card_changed_in_register", _("Kortets uppgifter ändrades i kortsystemet")
    CARD_ENDED_IN_REGISTER = (
        "card_ended_in_register",
        _("Kortet upphörde i kortsystemet: spärrat, utgånget eller borttaget"),
    )
    PUK_PURGED = "puk_purged", _("Kortets PUK-kod togs bort ur PUK-lagret")
    ORDER_FLAGGED_CARD_ENDED = (
        "order_flagged_card_ended",
        _("Kortet har upphört men kodbrevet är redan hos tryckeriet eller på väg: följ upp"),
    )
    # The HSA directory's mirror (registers.acts, through organisation, orders and desk services).
    PERSON_LEFT = "person_left", _("Medarbetaren har slutat enligt HSA-katalogen: inloggningen stängdes")
    PERSON_MOVED = "person_moved", _("Medarbetaren bytte förvaltning enligt HSA-katalogen")
    ORDER_MOVED = "order_moved", _("Beställningen flyttades till kortinnehavarens nya förvaltning")
    CONTACT_PERSON_APPOINTED = "contact_person_appointed", _("Kontaktperson eller ersättare utsågs")
    RIGHT_WITHDRAWN = "right_withdrawn", _("Behörigheten drogs in innan dess giltighetstid gick ut")
    PERSON_STARTED = "person_started", _("Medarbetaren hämtades från HSA-katalogen")
    PERSON_RETURNED = "person_returned", _("Medarbetaren är åter aktiv enligt HSA-katalogen: inloggningen öppnades")
    PERSON_RENAMED = "person_renamed", _("Medarbetarens namn ändrades i HSA-katalogen")
    FORVALTNING_REGISTERED = "forvaltning_registered", _("Förvaltningen hämtades från HSA-katalogen")
    # Logins (organisation.login_lockout, organisation.lockout_admin): the login throttle.
    LOGIN_LOCKED_OUT = "login_locked_out", _("Inloggningen spärrades efter för många misslyckade försök")
    LOGIN_LOCKOUT_LIFTED = "login_lockout_lifted", _("En administratör hävde inloggningsspärren")
    # Single sign-on and the session (sso): how a person logged in, and when the session ended.
    LOGGED_IN = "logged_in", _("Inloggad")
    SSO_UNKNOWN_PERSON = (
        "sso_unknown_person",
        _("Inloggningstjänsten kände personen men RS-portal gör det inte: inloggningen nekades"),
    )
    LOGIN_STEP_UP_REQUIRED = (
        "login_step_up_required",
        _("Inloggningens tillitsnivå räckte inte: personen ombads logga in med en starkare metod"),
    )
    LOGGED_OUT = "logged_out", _("Utloggad")
    SESSION_IDLE_ENDED = "session_idle_ended", _("Inloggningen avslutades efter inaktivitet eller när dess tid gått ut")
    SSO_LOGIN_REFUSED = (
        "sso_login_refused",
        _("Svaret från inloggningstjänsten godtogs inte (signatur, mottagare, giltighetstid, nonce, state eller nivå)"),
    )
    # Retention (gallring, retention.services): what a run removed or pseudonymised, per
    # kind of record; a whole year of this trail dropped once past its period.
    RETENTION_CARRIED_OUT = (
        "retention_carried_out",
        _("Gallring: uppgifter som passerat sin bevarandetid togs bort eller pseudonymiserades"),
    )
    AUDIT_YEAR_REMOVED = (
        "audit_year_removed",
        _("Gallring: ett helt år av granskningsloggen togs bort efter bevarandetiden"),
    )
