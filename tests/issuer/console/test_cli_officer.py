"""The command line's officer identity and account commands."""

from __future__ import annotations

from pathlib import Path

from issuer.registry import Registry
from tests.issuer.idgen import make_id
from tests.issuer.test_cli import Run


def test_first_administrator_then_named_officers(tmp_path: Path) -> None:
    run = Run(tmp_path / "registry.sqlite3")
    code, out, _ = run("officer", "add", "admin1", "--name", "管理员", "--role", "admin", "--station", "06-P")
    assert code == 0 and "admin1" in out and "password" in out  # the first account needs nobody
    code, _, err = run("officer", "add", "wang.li", "--name", "王立", "--role", "clerk", "--station", "06-P")
    assert code == 2 and "FORBIDDEN" in err  # the second needs an administrator
    code, _, _ = run("officer", "add", "wang.li", "--name", "王立", "--role", "clerk", "--station", "06-P",
                     "--officer", "admin1")
    assert code == 0
    issue = ("issue", "--type", "1", "--name", "张伟", "--id-number", make_id(seq=7), "--address", "北京市海淀区学院路1号",
             "--district", "海淀区")
    code, _, err = run(*issue, "--officer", "admin1")
    assert code == 2 and "FORBIDDEN" in err  # an administrator decides no permit
    code, _, err = run(*issue, "--officer", "nobody")
    assert code == 2 and "NOT_FOUND" in err
    code, out, _ = run(*issue, "--officer", "wang.li")
    assert code == 0
    cred_id = out.split("cred_id:")[1].split()[0]
    code, _, err = run("revoke", cred_id, "--reason", "x", "--officer", "wang.li")
    assert code == 2 and "FORBIDDEN" in err  # a clerk cannot revoke
    assert run("officer", "disable", "wang.li", "--officer", "admin1")[0] == 0
    assert run("endorse", cred_id, "--officer", "wang.li")[0] == 2  # a disabled account acts no more
    with Registry(tmp_path / "registry.sqlite3") as reg:
        assert [e.actor for e in reg.audit_entries(cred_id)][:2] == ["officer:wang.li", "officer:wang.li"]


def test_an_administrator_issues_lists_and_revokes_an_officers_api_token(tmp_path: Path) -> None:
    run = Run(tmp_path / "registry.sqlite3")
    assert run("officer", "add", "admin1", "--name", "管理员", "--role", "admin", "--station", "06-P")[0] == 0
    assert run("officer", "add", "wang.li", "--name", "王立", "--role", "clerk", "--station", "06-P",
               "--officer", "admin1")[0] == 0
    code, _, err = run("officer", "token", "wang.li", "--label", "柜台脚本")
    assert code == 2 and "FORBIDDEN" in err  # only an administrator, named
    code, out, _ = run("officer", "token", "wang.li", "--label", "柜台脚本", "--officer", "admin1")
    assert code == 0
    token = out.split("(shown once): ")[1].split()[0]
    code, out, _ = run("officer", "tokens", "wang.li", "--officer", "admin1")
    [line] = out.strip().splitlines()
    token_id, username, label, _, state = line.split("\t")
    assert (username, label, state) == ("wang.li", "柜台脚本", "active") and token not in out
    assert run("officer", "revoke-token", token_id, "--officer", "admin1")[0] == 0
    assert "revoked" in run("officer", "tokens", "--officer", "admin1")[1]
    with Registry(tmp_path / "registry.sqlite3") as reg:
        ops = [(e.operation, e.actor) for e in reg.audit_entries()]
    assert ("officer.token_issue", "officer:admin1") in ops and ("officer.token_revoke", "officer:admin1") in ops
