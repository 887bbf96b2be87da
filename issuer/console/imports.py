"""Legacy imports from the console: upload an export, watch its progress, read the report.

The import runs on its own thread with its own registry connection (SQLite in WAL
mode lets the service go on reading and writing between the import's batches), so
the console stays usable during a long file. Progress is counted in rows by the
migration's Progress hooks; the report lists every rejected row by line number and
defect code, and can be downloaded as the ``line<TAB>code`` text the CLI writes.
Jobs live in the service's memory: a restart forgets the page, not the import
(which is in the registry and its audit log).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime

from starlette.datastructures import UploadFile
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from keys.edge.errors import HttpError, define
from issuer.legacy import ExportFormatError, decode_export
from issuer.migration import ImportReport, import_text
from issuer.officers.roles import Act
from issuer.registry import Registry

from .web import Console, Page

define("IMPORT_NOT_FINISHED", 409, "导入尚未完成", "The import has not finished")

__all__ = ["ImportJob", "routes"]

MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_JOBS = 50


@dataclass
class ImportJob:
    """One running or finished import, as its page shows it."""

    job_id: str
    source: str
    actor: str
    total: int = 0
    done: int = 0
    report: ImportReport | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    # the migration's Progress protocol
    def start(self, total: int) -> None:
        self.total = total

    def advance(self, count: int) -> None:
        self.done += count

    def finish(self) -> None:
        pass

    @property
    def percent(self) -> int:
        return 100 if self.report is not None else (100 * self.done // self.total if self.total else 0)


def _run(job: ImportJob, path: str, text: str, encoding: str, now: datetime) -> None:
    try:
        with Registry(path) as registry:
            job.report = import_text(registry, text, source=job.source, encoding=encoding, actor=job.actor,
                                     now=now, progress=job)
    except ExportFormatError as exc:
        job.error = f"无法读取导出文件 / cannot read the export ({exc.code})"
    except Exception as exc:  # the page must say it failed rather than spin for ever
        job.error = f"导入失败 / import failed: {type(exc).__name__}"
    finally:
        job.finished.set()


def routes(console: Console) -> list[BaseRoute]:
    state = console.state
    jobs: dict[str, ImportJob] = {}

    @console.page(Act.IMPORT)
    async def form_page(page: Page) -> Response:
        mine = [j for j in jobs.values() if j.actor == page.actor]
        return console.render(page.request, "imports.html", page, jobs=mine)

    @console.page(Act.IMPORT)
    async def upload(page: Page) -> Response:
        declared = page.request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_IMPORT_BYTES:
            raise HttpError("PAYLOAD_TOO_LARGE", zh="文件过大（最大 64 MB）", en="file too large (64 MB at most)")
        form = await console.form(page, files=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HttpError("INVALID_INPUT", zh="请选择导出文件", en="choose the export file")
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise HttpError("PAYLOAD_TOO_LARGE", zh="文件过大（最大 64 MB）", en="file too large (64 MB at most)")
        try:
            text, encoding = decode_export(data)
        except ExportFormatError as exc:
            raise HttpError("EXPORT_FORMAT", zh=f"无法读取导出文件（{exc.code}）",
                           en=f"cannot read the export ({exc.code})") from None
        name = (upload.filename or "upload.csv").replace("/", "_")[-128:]
        job = ImportJob(secrets.token_urlsafe(12), name, page.actor)
        if len(jobs) >= MAX_JOBS:
            for old in [j for j in jobs.values() if j.finished.is_set()][: len(jobs) - MAX_JOBS + 1]:
                jobs.pop(old.job_id, None)
        jobs[job.job_id] = job
        threading.Thread(target=_run, args=(job, state.config.registry_path, text, encoding, console.now()),
                         name=f"import-{job.job_id}", daemon=True).start()
        return RedirectResponse(f"/console/imports/{job.job_id}", 303)

    def find(page: Page) -> ImportJob:
        job = jobs.get(str(page.request.path_params["job_id"]))
        if job is None or job.actor != page.actor and not page.officer.may(Act.OFFICERS):
            raise HttpError("NOT_FOUND", zh="没有该导入任务", en="no such import")
        return job

    @console.page(Act.IMPORT)
    async def job_page(page: Page) -> Response:
        job = find(page)
        return console.render(page.request, "import_job.html", page, job=job, running=not job.finished.is_set())

    @console.page(Act.IMPORT)
    async def job_report(page: Page) -> Response:
        job = find(page)
        if job.report is None:
            raise HttpError("IMPORT_NOT_FINISHED", zh="导入尚未完成", en="the import has not finished")
        return PlainTextResponse(job.report.defects_text(), headers={
            "Content-Disposition": f'attachment; filename="{job.job_id}.defects"', "Cache-Control": "no-store"})

    return [
        Route("/console/imports", form_page, methods=["GET"]),
        Route("/console/imports", upload, methods=["POST"]),
        Route("/console/imports/{job_id}", job_page, methods=["GET"]),
        Route("/console/imports/{job_id}/report", job_report, methods=["GET"]),
    ]

