from sso.assurance import DEFAULT_CONTEXTS, Assurance, context_for, level_of, method_label, method_of

LOA2, LOA3, LOA4 = (f"http://id.elegnamnden.se/loa/1.0/loa{n}" for n in (2, 3, 4))
METHODS = {"urn:freja": "freja", "pwd": "password", "siths": "siths"}


def test_the_swedish_eid_contexts_give_their_levels_and_an_unknown_context_gives_zero():
    assert [level_of(c, DEFAULT_CONTEXTS) for c in (LOA2, LOA3, LOA4)] == [2, 3, 4]
    assert level_of("urn:something:else", DEFAULT_CONTEXTS) == 0
    assert level_of("", DEFAULT_CONTEXTS) == 0


def test_the_method_is_the_first_value_the_mapping_knows_else_the_first_raw_value():
    assert method_of(["mfa", "urn:freja"], METHODS) == "freja"
    assert method_of(["hwk", "otp"], METHODS) == "hwk"
    assert method_of(["", "pwd"], METHODS) == "password"
    assert method_of([], METHODS) == ""


def test_stepping_up_asks_for_the_lowest_context_giving_at_least_the_level():
    assert context_for(3, DEFAULT_CONTEXTS) == LOA3
    assert context_for(1, DEFAULT_CONTEXTS) == LOA2
    assert context_for(4, DEFAULT_CONTEXTS) == LOA4
    assert context_for(5, DEFAULT_CONTEXTS) == ""


def test_an_assurance_goes_into_the_session_and_comes_back_the_same():
    assurance = Assurance("saml", "siths", 4, LOA4)
    assert Assurance.from_session(assurance.as_session()) == assurance


def test_a_session_value_that_is_no_assurance_reads_as_none():
    good = Assurance("oidc", "freja", 3, LOA3).as_session()
    for bad in (None, "x", [], {**good, "level": 9}, {**good, "level": True}, {**good, "protocol": "ldap"}, {}):
        assert Assurance.from_session(bad) is None


def test_the_audit_gets_protocol_method_level_and_context_in_swedish_keys():
    assert Assurance("oidc", "freja", 3, LOA3).as_audit() == {
        "protokoll": "oidc",
        "metod": "freja",
        "tillitsniva": 3,
        "kontext": LOA3,
    }


def test_methods_are_shown_by_their_names_and_an_unknown_one_as_the_idp_said_it():
    assert method_label("freja") == "Freja eID+"
    assert method_label("mobilt-siths") == "Mobilt SITHS"
    assert method_label("urn:x:hwk") == "urn:x:hwk"
