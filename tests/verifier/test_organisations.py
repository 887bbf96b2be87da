"""Verifier organisations: registered with display names and a role; every key belongs to one."""

from __future__ import annotations

import json
import stat

import pytest

from keys.edge.env import ConfigError
from verifier.__main__ import main
from verifier.auth import load_keys
from verifier.config import Config, Files
from verifier.organisations import (
    OFFICERS,
    Organisation,
    OrganisationBook,
    add_member_key,
    add_organisation,
    load_organisations,
    parse_organisations,
)

LIANJIA = ("lianjia-hd", "链家地产海淀店", "Lianjia Haidian", "business")


def test_registered_organisations_are_kept_owner_only(tmp_path):
    path = tmp_path / "organisations.json"
    org = add_organisation(path, *LIANJIA)
    assert org == Organisation(*LIANJIA)
    assert load_organisations(path) == [org]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ConfigError, match="already exists"):
        add_organisation(path, "lianjia-hd", "别的", "Other", "business")
    with pytest.raises(ConfigError, match="role"):
        add_organisation(path, "x", "某", "Some", "landlord")
    with pytest.raises(ConfigError, match="name_zh"):
        add_organisation(path, "y", "", "Some", "business")
    with pytest.raises(ConfigError, match="control"):
        add_organisation(path, "z", "某\n公司", "Some", "business")


@pytest.mark.parametrize("document, complaint", [
    ("{}", "JSON list"),
    ("not json", "not JSON"),
    ('[{"id": "a", "name_zh": "甲", "name_en": "A", "role": "business"},'
     ' {"id": "a", "name_zh": "甲", "name_en": "A", "role": "business"}]', "twice"),
    ('[{"id": "bad id", "name_zh": "甲", "name_en": "A", "role": "business"}]', ".id"),
    ('[{"id": "a", "name_zh": "甲", "name_en": "' + "x" * 81 + '", "role": "business"}]', "name_en"),
])
def test_a_broken_file_names_the_entry(document, complaint):
    with pytest.raises(ConfigError, match=complaint):
        parse_organisations(document, "orgs.json")


def test_a_key_without_an_organisation_is_its_own(tmp_path, clock):
    keys = tmp_path / "api-keys.json"
    keys.write_text(json.dumps([{"name": "old-key", "role": "business", "sha256": "ab" * 32}]))
    [old] = load_keys(keys)  # the key file written before organisations still loads
    assert old.organisation is None
    book = OrganisationBook(tmp_path / "organisations.json", clock=clock)
    assert book.of("old-key", "business", None) == Organisation("old-key", "old-key", "old-key", "business")
    assert book.of("officer:wang.li", "official", None) == OFFICERS


def test_member_keys_take_their_organisations_role(tmp_path, clock):
    keys, orgs = tmp_path / "api-keys.json", tmp_path / "organisations.json"
    add_organisation(orgs, *LIANJIA)
    org, plain = add_member_key(keys, orgs, "lj-counter-1", "lianjia-hd")
    assert org.id == "lianjia-hd" and plain.startswith("vk_")
    [key] = load_keys(keys)
    assert (key.name, key.role, key.organisation) == ("lj-counter-1", "business", "lianjia-hd")
    with pytest.raises(ConfigError, match="cannot be official"):
        add_member_key(keys, orgs, "lj-counter-2", "lianjia-hd", "official")
    with pytest.raises(ConfigError, match="no organisation"):
        add_member_key(keys, orgs, "other", "nobody")
    book = OrganisationBook(orgs, clock=clock)
    assert book.of("lj-counter-1", "business", "lianjia-hd").name_zh == "链家地产海淀店"
    # a key whose organisation disagrees on the role (the file edited by hand) is its own
    assert book.of("lj-counter-1", "official", "lianjia-hd").id == "lj-counter-1"


def test_the_book_picks_up_a_new_organisation_within_a_second(tmp_path, clock):
    path = tmp_path / "organisations.json"
    book = OrganisationBook(path, clock=clock)
    assert book.all() == []
    add_organisation(path, *LIANJIA)
    clock.advance(1.5)
    assert [o.id for o in book.all()] == ["lianjia-hd"]
    path.write_text("[not json")
    clock.advance(1.5)
    assert [o.id for o in book.all()] == ["lianjia-hd"]  # a broken file keeps the last good list


def test_command_line_registers_lists_and_adds_member_keys(tmp_path, capsys):
    keys = tmp_path / "keys.json"
    where = ["--file", str(keys)]
    assert main(["add-organisation", "--id", "lianjia-hd", "--name-zh", "链家地产海淀店",
                 "--name-en", "Lianjia Haidian", "--role", "business", *where]) == 0
    assert (tmp_path / "organisations.json").exists()  # beside the key file
    assert main(["add-key", "--name", "lj-1", "--organisation", "lianjia-hd", *where]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("vk_")
    assert main(["add-key", "--name", "clerk-7", "--role", "official", *where]) == 0
    assert main(["add-key", "--name", "lj-2", "--organisation", "nobody", *where]) == 2
    assert "no organisation" in capsys.readouterr().err
    assert main(["add-key", "--name", "lj-3", *where]) == 2
    capsys.readouterr()
    assert main(["organisations", *where]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "lianjia-hd\tbusiness\t链家地产海淀店\tLianjia Haidian\tkeys: lj-1",
        "clerk-7\tofficial\tclerk-7\tclerk-7\tkeys: clerk-7",
    ]


def test_the_server_reads_the_organisations_file_it_is_told(tmp_path):
    keys = tmp_path / "keys.json"
    main(["add-key", "--name", "a", "--role", "official", "--file", str(keys)])
    audit_key = tmp_path / "audit-key"
    audit_key.write_text("A" * 44 + "\n")
    env = {"VERIFIER_API_KEYS_FILE": str(keys), "VERIFIER_AUDIT_KEY_FILE": str(audit_key)}
    assert Files.from_env(env).organisations_file == tmp_path / "organisations.json"
    orgs = tmp_path / "elsewhere.json"
    env["VERIFIER_ORGANISATIONS_FILE"] = str(orgs)
    assert Config.from_env(env).organisations_path == orgs
    orgs.write_text("{")
    with pytest.raises(ConfigError, match="not JSON"):
        Config.from_env(env)


def test_the_service_names_a_callers_organisation(make_verifier, tmp_path, clock):
    add_organisation(tmp_path / "organisations.json", "police-hd", "海淀分局", "Haidian Police", "official")
    v = make_verifier()
    entries = json.loads(v.config.api_keys_file.read_text())
    entries[0]["organisation"] = "police-hd"
    v.config.api_keys_file.write_text(json.dumps(entries))
    clock.advance(1.5)
    service = v.service
    assert service.organisation_of("police-1", "official").name_en == "Haidian Police"
    assert service.organisation_of("landlord-1", "business").name_zh == "landlord-1"
