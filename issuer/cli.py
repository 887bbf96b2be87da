"""Command line for counter staff and operators: `python -m issuer <command> ...`.

This is the outermost layer and the only place that reads the clock or the
environment; everything below takes `now` and a registry. Files are found through
the service's own configuration (`issuer.config.Config`), so with the same
environment `python -m issuer issue` and `python -m issuer serve` open the same
registry; `--db` overrides it for one command. Failures print one line
(Chinese and English for refusals) and exit with status 2, never a traceback:
the people running this are clerks, not developers.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TextIO

from issuer.at_rest import AtRest
from issuer.config import Config, ConfigError
from issuer.devkeys import open_keys
from issuer.db import DatabaseError
from issuer.errors import LifecycleError
from issuer.legacy import ExportFormatError
from issuer.lifecycle import Lifecycle
from issuer.migration import import_file
from issuer.model import Credential
from issuer.officers.cli import acting_officer, add_officer_commands, officer_command
from keys.keypair import KeyFileError
from keys.timekeeping import beijing_date
from keys.vocabulary import PermitType
from issuer.progress import progress_for
from issuer.registry import Registry
from issuer.schema import SchemaError
from issuer.status_index import IndexSpaceExhausted

__all__ = ["main"]

EXIT_ERROR = 2

#: --type accepts each permit type by its number, its Chinese name or its name in kebab case
_TYPES = {
    spelling: kind
    for kind in PermitType
    for spelling in (str(int(kind)), kind.name_zh, kind.name.lower().replace("_", "-"))
}


class _Context:
    """What a command needs: the registry, who is acting, when, and where to print."""

    def __init__(self, args: argparse.Namespace, config: Config, now: datetime, out: TextIO, err: TextIO):
        self.args = args
        self.config = config
        self.now = now
        self.out = out
        self.err = err
        self.registry = Registry(config.registry_path,
                                 at_rest=AtRest(lambda: open_keys(config, now.timestamp()).store.data_key()))
        self.lifecycle = Lifecycle(self.registry)
        self.as_officer = bool(args.officer)
        self.actor: str = (acting_officer(self.registry, args.officer, args.command)
                           if args.officer else args.actor)

    def print(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)


def main(
    argv: Sequence[str] | None = None,
    *,
    now: datetime | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; returns the exit status. `now` is for tests only."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    if args_list[:1] == ["serve"]:
        return _serve(args_list[1:], err)
    args = _parser().parse_args(args_list)
    moment = now if now is not None else datetime.now(timezone.utc)
    try:
        config = Config.from_env()
        if args.db is not None:
            config = replace(config, registry_path=args.db)
        ctx = _Context(args, config, moment, out, err)
        try:
            handler: Callable[[_Context], int] = args.handler
            return handler(ctx)
        finally:
            ctx.registry.close()
    except LifecycleError as exc:
        print(f"错误：{exc.message_zh} / error: {exc.message_en} [{exc.code}]", file=err)
    except (ConfigError, KeyFileError) as exc:
        print(f"配置错误 / configuration error: {exc}", file=err)
    except ExportFormatError as exc:
        print(f"无法读取导出文件 / cannot read export: {exc}", file=err)
    except (OSError, SchemaError, IndexSpaceExhausted, *DatabaseError) as exc:  # type: ignore[misc]
        print(f"错误 / error: {exc}", file=err)
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=err)
        return 130
    except Exception as exc:  # last resort: a clerk must never see a traceback
        if os.environ.get("ISSUER_DEBUG"):
            raise
        print(f"内部错误 / internal error: {type(exc).__name__}: {exc}", file=err)
    return EXIT_ERROR


def _serve(argv: list[str], err: TextIO) -> int:
    """`serve` belongs to issuer.app (the HTTP service), imported only when asked for."""
    try:
        app = importlib.import_module("issuer.app")
    except ModuleNotFoundError as exc:
        if exc.name == "issuer.app":
            print("错误：HTTP 服务尚未安装 / error: the HTTP service (issuer.app) is not available",
                  file=err)
        else:
            print(f"错误：HTTP 服务无法启动 / error: issuer.app cannot be loaded: {exc}", file=err)
        return EXIT_ERROR
    result = app.main(argv)
    return int(result) if result is not None else 0


# ---- commands -----------------------------------------------------------------


def _cmd_import(ctx: _Context) -> int:
    progress = progress_for(quiet=ctx.args.quiet, stream=ctx.err)
    report = import_file(ctx.registry, Path(ctx.args.file), actor=ctx.actor, now=ctx.now,
                         progress=progress)
    for d in report.defects:
        card = f" ({d.card_number})" if d.card_number else ""
        ctx.print(f"第{d.line}行 line {d.line}: {d.code}{card}")
    ctx.print(*report.summary_lines())
    if ctx.args.report:
        Path(ctx.args.report).write_text(report.defects_text(), encoding="utf-8")
    return 0


def _cmd_issue(ctx: _Context) -> int:
    a = ctx.args
    valid_from = a.valid_from if a.valid_from is not None else beijing_date(ctx.now)
    cred = ctx.lifecycle.issue(_TYPES[a.type], a.name, a.id_number, a.address, a.district,
                               valid_from, a.years, actor=ctx.actor, now=ctx.now)
    ctx.print("已签发 issued", *_describe(cred))
    return 0


def _cmd_endorse(ctx: _Context) -> int:
    cred = ctx.lifecycle.endorse(ctx.args.cred_id, actor=ctx.actor, now=ctx.now)
    ctx.print(f"已签注 endorsed: 有效期至 valid until {cred.valid_until}")
    return 0


def _cmd_change(ctx: _Context) -> int:
    cred = ctx.lifecycle.change(ctx.args.cred_id, address=ctx.args.address,
                                district=ctx.args.district, actor=ctx.actor, now=ctx.now)
    ctx.print(f"已变更 changed: 版本 version {cred.version}", *_describe(cred))
    return 0


def _cmd_suspend(ctx: _Context) -> int:
    ctx.lifecycle.suspend(ctx.args.cred_id, reason=ctx.args.reason, actor=ctx.actor,
                          now=ctx.now)
    ctx.print("已暂停 suspended")
    return 0


def _cmd_reinstate(ctx: _Context) -> int:
    ctx.lifecycle.reinstate(ctx.args.cred_id, actor=ctx.actor, now=ctx.now)
    ctx.print("已恢复 reinstated")
    return 0


def _cmd_revoke(ctx: _Context) -> int:
    ctx.lifecycle.revoke(ctx.args.cred_id, ctx.args.reason, actor=ctx.actor, now=ctx.now)
    ctx.print("已注销 revoked")
    return 0


def _cmd_convert(ctx: _Context) -> int:
    cred = ctx.lifecycle.convert(ctx.args.cred_id, actor=ctx.actor, now=ctx.now)
    ctx.print(f"已换领居住证 converted: 版本 version {cred.version}")
    return 0


def _cmd_show(ctx: _Context) -> int:
    cred_id = ctx.args.cred_id
    if ctx.args.card:
        found = ctx.registry.get_by_card_number(ctx.args.card, today=beijing_date(ctx.now))
        if found is None:
            ctx.print(f"证件编号 {ctx.args.card} 不存在 / card {ctx.args.card} not found")
            return EXIT_ERROR
        cred_id = found.cred_id
    if cred_id is None:
        ctx.print("需要凭证编号或 --card / give a cred_id or --card")
        return EXIT_ERROR
    ctx.print(*_describe(ctx.lifecycle.show(cred_id, actor=ctx.actor, now=ctx.now)))
    return 0


def _cmd_enrol(ctx: _Context) -> int:
    cred = ctx.lifecycle.get(ctx.args.cred_id, today=beijing_date(ctx.now))
    code = ctx.registry.devices.create_enrolment(cred.cred_id, ctx.now, actor=ctx.actor)
    ctx.print(f"激活码 enrolment code: {code}",
              "15分钟内有效，仅可使用一次 / valid for 15 minutes, once")
    return 0


def _cmd_devices(ctx: _Context) -> int:
    cred = ctx.lifecycle.get(ctx.args.cred_id, today=beijing_date(ctx.now))
    if ctx.args.revoke is not None:
        device = ctx.registry.devices.get_device(ctx.args.revoke)
        if device is None or device.cred_id != cred.cred_id:
            ctx.print(f"该凭证没有设备 {ctx.args.revoke} / no such device for this credential")
            return EXIT_ERROR
        ctx.registry.devices.revoke_device(device.device_id, ctx.now, actor=ctx.actor)
    for d in ctx.registry.devices.list_devices(cred.cred_id):
        state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}Z" if d.revoked_at else "active"
        ctx.print(f"{d.device_id}\t{d.label}\tenrolled {d.enrolled_at:%Y-%m-%d %H:%M}Z\t{state}")
    return 0


def _cmd_slip(ctx: _Context) -> int:
    """The paper confirmation slip (确认单), for holders without a smartphone."""
    from keys.keypair import KeyFileError

    from issuer.minting import NotMintable
    from issuer.slip import PdfUnavailable, write_slip_file

    try:
        path = write_slip_file(ctx.args.cred_id, ctx.args.out, now=ctx.now.timestamp(), config=ctx.config,
                               actor=ctx.actor)
    except NotMintable as exc:
        print(f"错误：{exc.message_zh} / error: {exc.message_en} [{exc.code}]", file=ctx.err)
        return EXIT_ERROR
    except KeyFileError as exc:
        print(f"错误 / error: {exc} [{exc.code}]", file=ctx.err)
        return EXIT_ERROR
    except (PdfUnavailable, ValueError) as exc:
        print(f"错误 / error: {exc}", file=ctx.err)
        return EXIT_ERROR
    ctx.print(f"确认单已写入 / slip written to {path}")
    return 0


def _cmd_checks_public_key(ctx: _Context) -> int:
    from issuer.check_keys import public_key_text

    ctx.print(public_key_text(ctx.config))
    return 0


def _cmd_new_checks_key(ctx: _Context) -> int:
    from base64 import b64encode

    from issuer.check_keys import public_key_text
    from keys.edge.files import create_private
    from keys.sealed_ref import new_private_key

    out = Path(ctx.args.out)
    if not create_private(out, b64encode(new_private_key()).decode("ascii") + "\n"):
        raise ConfigError(f"{out} exists already: a check-records key is never overwritten")
    ctx.print(public_key_text(replace(ctx.config, checks_key_file=out)))
    return 0


def _cmd_add_verifier(ctx: _Context) -> int:
    from issuer.check_keys import add_verifier

    path = Path(ctx.args.file) if ctx.args.file else ctx.config.verifiers_file
    if path is None:
        raise ConfigError("name the verifiers file with --file or ISSUER_VERIFIERS_FILE")
    token = add_verifier(path, ctx.args.name)
    print(f"added verifier {ctx.args.name!r} to {path}; its token (shown only now):", file=ctx.err)
    ctx.print(token)
    return 0


def _cmd_officer(ctx: _Context) -> int:
    return officer_command(ctx.registry, ctx.args, ctx.actor, acting_as_officer=ctx.as_officer,
                           now=ctx.now, print_line=ctx.print)


def _describe(c: Credential) -> list[str]:
    return [
        f"凭证编号 cred_id:      {c.cred_id}",
        f"证件编号 card number:  {c.card_number or '-'}",
        f"类型 type:             {c.permit_type.name_zh} ({c.permit_type.name})",
        f"姓名 name:             {c.holder_name}",
        f"身份号码 ID number:    {c.masked_id_number}",
        f"居住地址 address:      {c.address}",
        f"所属区 district:       {c.district.name_zh} ({c.district_code})",
        f"签发日期 issued on:    {c.issued_on}",
        f"有效期 valid:          {c.valid_from} – {c.valid_until}",
        f"状态 status:           {c.status.name_zh} ({c.status.value})"
        + (f" – {c.revoke_reason}" if c.revoke_reason else ""),
        f"版本 version:          {c.version}",
    ]


# ---- argument parsing -------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None,
                        help="registry database, a SQLite path or a postgresql:// URL (default: the service's, "
                             "ISSUER_DATABASE_URL, ISSUER_DB or ISSUER_VAR_DIR/issuer/registry.sqlite3)")
    common.add_argument("--actor", default=os.environ.get("ISSUER_ACTOR")
                        or f"cli:{os.environ.get('USER', 'unknown')}",
                        help="who is acting, for the audit log (env ISSUER_ACTOR)")
    common.add_argument("--officer", default=os.environ.get("ISSUER_OFFICER") or None,
                        help="the officer acting (an account name, checked; env ISSUER_OFFICER)")

    parser = argparse.ArgumentParser(prog="python -m issuer",
                                     description="Residence permit issuer registry.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    def add(name: str, handler: Callable[[_Context], int], help_text: str,
            cred: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        if cred:
            p.add_argument("cred_id", help="credential id (16 hex characters)")
        return p

    p = add("import", _cmd_import, "import a legacy export (CSV, UTF-8 or GBK)", cred=False)
    p.add_argument("file")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--report", help="also write rejected rows as 'line<TAB>code' to this file")

    p = add("issue", _cmd_issue, "issue a new credential", cred=False)
    p.add_argument("--type", required=True, choices=sorted(_TYPES), help="permit type")
    p.add_argument("--name", required=True)
    p.add_argument("--id-number", required=True)
    p.add_argument("--address", required=True)
    p.add_argument("--district", required=True, help="e.g. 海淀区, Haidian or 6")
    p.add_argument("--valid-from", type=_date, help="YYYY-MM-DD (default today)")
    p.add_argument("--years", type=int, default=1)

    add("endorse", _cmd_endorse, "签注: extend validity by one year")
    p = add("change", _cmd_change, "变更: new address and/or district")
    p.add_argument("--address")
    p.add_argument("--district")
    p = add("suspend", _cmd_suspend, "suspend a credential")
    p.add_argument("--reason")
    add("reinstate", _cmd_reinstate, "lift a suspension")
    p = add("revoke", _cmd_revoke, "revoke a credential (final)")
    p.add_argument("--reason", required=True)
    add("convert", _cmd_convert, "卡换证: registration card to residence permit")
    p = add("show", _cmd_show, "show a credential (ID number masked)", cred=False)
    p.add_argument("cred_id", nargs="?")
    p.add_argument("--card", help="look up by legacy card number instead")
    add("enrol", _cmd_enrol, "print a one-time enrolment code for a holder's phone")
    p = add("devices", _cmd_devices, "list a credential's devices")
    p.add_argument("--revoke", type=int, metavar="DEVICE_ID", help="revoke this device first")
    p = add("slip", _cmd_slip, "确认单: write the paper confirmation slip (.pdf or .html)")
    p.add_argument("--out", required=True, help="output file, ending in .pdf or .html")
    add("checks-public-key", _cmd_checks_public_key,
        "print the public key verifiers seal check records to (their VERIFIER_CHECKS_PUBLIC_KEY_FILE)", cred=False)
    p = add("new-checks-key", _cmd_new_checks_key,
            "create a check-records private key file (ISSUER_CHECKS_KEY_FILE); prints its public key", cred=False)
    p.add_argument("--out", required=True, help="the new key file (mode 0600; never overwritten)")
    p = add("add-verifier", _cmd_add_verifier,
            "allow a verifier to push check records; prints its token once", cred=False)
    p.add_argument("--name", required=True, help="the verifier's name, recorded with every batch it pushes")
    p.add_argument("--file", help="verifiers file (default ISSUER_VERIFIERS_FILE)")
    add_officer_commands(sub, common, _cmd_officer)
    sub.add_parser("serve", help="run the HTTP service (issuer.app)", add_help=False)
    return parser
