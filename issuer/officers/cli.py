"""The command line's side of officer accounts: who is acting, and managing accounts.

``--officer USERNAME`` (or ``ISSUER_OFFICER``) names the officer at the keyboard:
the account must exist, be active and have a role allowed to run the command,
and the audit log then records ``officer:<username>``. Without it, the operator's
``--actor`` (default ``cli:$USER``) is recorded as before, for scripts and imports.

``python -m issuer officer add|list|disable|enable|reset`` manage accounts;
``officer token USERNAME --label L`` issues an officer's personal API token for the
/admin JSON API (shown once), ``officer tokens [USERNAME]`` lists them and
``officer revoke-token TOKEN_ID`` ends one. They
need ``--officer`` of an administrator, except ``add`` on a registry that has no
officer yet: that is how the first administrator comes into being.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Callable

import segno

from issuer.errors import ForbiddenError
from issuer.registry import Registry

from .api_tokens import OfficerTokens
from .model import NewOfficerSecrets
from .roles import Act, Role
from .store import OfficerStore

__all__ = ["COMMAND_ACTS", "acting_officer", "add_officer_commands", "officer_command"]

#: which act each registry command is (commands not listed are reads or operator tasks)
COMMAND_ACTS = {
    "issue": Act.COUNTER_APPLY, "endorse": Act.ENDORSE, "change": Act.CHANGE, "suspend": Act.SUSPEND,
    "reinstate": Act.REINSTATE, "revoke": Act.REVOKE, "convert": Act.CONVERT, "show": Act.VIEW,
    "enrol": Act.ENROL, "devices": Act.VIEW, "slip": Act.SLIP, "import": Act.IMPORT, "officer": Act.OFFICERS,
}


def acting_officer(registry: Registry, username: str, command: str) -> str:
    """The audit name of ``username`` when they may run ``command``; a refusal otherwise."""
    officer = OfficerStore(registry).require(username)
    act = COMMAND_ACTS.get(command)
    if not officer.active:
        raise ForbiddenError(f"账号 {officer.username} 已停用", f"account {officer.username} is disabled")
    if act is not None and not officer.may(act):
        raise ForbiddenError(f"“{officer.role.name_zh}”无权执行 {command}",
                             f"role {officer.role.value} may not run {command}")
    return officer.actor


def add_officer_commands(sub: argparse._SubParsersAction,
                         common: argparse.ArgumentParser, handler: Callable[..., int]) -> None:
    p = sub.add_parser("officer", parents=[common], help="manage officer accounts (administrators)",
                       description="Create, list, disable, enable or reset officer accounts.")
    p.set_defaults(handler=handler)
    p.add_argument("action", choices=["add", "list", "disable", "enable", "reset", "token", "tokens", "revoke-token"])
    p.add_argument("username", nargs="?", help="the account (revoke-token: the token id from 'tokens')")
    p.add_argument("--label", help="what the token is for, e.g. 柜台脚本 (token)")
    p.add_argument("--name", help="display name, e.g. 王立 (add)")
    p.add_argument("--role", choices=[r.value for r in Role], help="role (add)")
    p.add_argument("--station", help="station id from the directory, e.g. 06-P (add)")


def officer_command(registry: Registry, args: argparse.Namespace, actor: str, *, acting_as_officer: bool,
                    now: datetime, print_line: Callable[..., None]) -> int:
    """Run ``officer <action>``; returns the exit status."""
    store = OfficerStore(registry)
    first = args.action == "add" and store.count() == 0
    if not first and not acting_as_officer:
        raise ForbiddenError("请用 --officer 指定管理员账号", "name an administrator with --officer")
    if args.action == "list":
        for o in store.roster():
            print_line(f"{o.username}\t{o.display_name}\t{o.role.value}\t{o.station}\t"
                       f"{o.district.name_zh}\t{'active' if o.active else 'disabled'}")
        return 0
    tokens = OfficerTokens(registry)
    if args.action == "tokens":
        for t in tokens.listing(args.username):
            print_line(f"{t.token_id}\t{t.username}\t{t.label}\t{t.created_at.isoformat()}\t"
                       f"{'revoked ' + t.revoked_at.isoformat() if t.revoked_at else 'active'}")
        return 0
    if not args.username:
        raise ForbiddenError("缺少用户名", "give the user name")
    if args.action == "token":
        issued = tokens.issue(args.username, args.label or "api", actor=actor, now=now)
        print_line(f"令牌 token for {issued.listed.username} ({issued.listed.label}), id {issued.listed.token_id}",
                   f"访问令牌 (shown once): {issued.token}")
        return 0
    if args.action == "revoke-token":
        revoked = tokens.revoke(args.username, actor=actor, now=now)
        print_line(f"{revoked.token_id}: revoked")
        return 0
    if args.action == "add":
        if not (args.name and args.role and args.station):
            raise ForbiddenError("add 需要 --name、--role 和 --station", "add needs --name, --role and --station")
        _show_secrets(store.create(args.username, args.name, args.role, args.station, actor=actor, now=now),
                      print_line)
    elif args.action == "reset":
        _show_secrets(store.reset(args.username, actor=actor, now=now), print_line)
    else:
        officer = store.set_active(args.username, args.action == "enable", actor=actor, now=now)
        print_line(f"{officer.username}: {'active' if officer.active else 'disabled'}")
    return 0


def _show_secrets(secrets: NewOfficerSecrets, print_line: Callable[..., None]) -> None:
    o = secrets.officer
    print_line(f"警员账号 officer: {o.username} ({o.display_name}, {o.role.name_zh} {o.role.value}, {o.station})",
               f"初始密码 password (shown once): {secrets.password}",
               f"动态口令密钥 TOTP secret (shown once): {secrets.totp_secret}",
               f"otpauth URI: {secrets.totp_uri}")
    qr = segno.make(secrets.totp_uri, error="m")
    out: list[str] = []

    class _Lines:
        def write(self, text: str) -> int:
            out.append(text)
            return len(text)

    qr.terminal(out=_Lines(), compact=True)  # type: ignore[arg-type]
    print_line("".join(out).rstrip("\n"))


