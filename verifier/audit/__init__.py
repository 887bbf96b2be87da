"""The audit trail: every verdict, who asked, and which credential, without personal data.

``verifier.audit.records`` holds the record shapes (and the keyed credential
reference); ``verifier.audit.writer`` the sinks and the buffer that writes
records in the background.
"""

from .records import (
    MODES,
    Record,
    ScanRecordError,
    VerdictEvent,
    cred_hash,
    cred_ref,
    event_record,
    scan_record,
    verdict_record,
)
from .writer import AuditBuffer, AuditSink, FallbackAuditSink, FileAuditSink, as_record

__all__ = [
    "MODES",
    "AuditBuffer",
    "AuditSink",
    "FallbackAuditSink",
    "FileAuditSink",
    "Record",
    "ScanRecordError",
    "VerdictEvent",
    "as_record",
    "cred_hash",
    "cred_ref",
    "event_record",
    "scan_record",
    "verdict_record",
]
