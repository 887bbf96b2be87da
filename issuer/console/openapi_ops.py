"""The officials' console routes for the issuer's OpenAPI document (issuer.openapi).

Console pages are HTML forms behind an officer's session; they are listed so that
every route the issuer answers is described somewhere.
"""

from __future__ import annotations

from issuer.openapi import Op

__all__ = ["CONSOLE_OPS"]

CONSOLE_OPS: tuple[Op, ...] = tuple(
    (method, path, "public" if path in ("/console/signin", "/console/lang", "/v1/officers/disabled") else "officer", summary, status, ())
    for method, path, summary, status in (
        ("get", "/console/signin", "Officer sign-in form", 200),
        ("post", "/console/signin", "Officer sign-in", 303),
        ("post", "/console/signout", "Officer sign-out", 303),
        ("get", "/console/lang", "Language switch", 303),
        ("get", "/console/", "Today's appointments at the officer's station", 200),
        ("get", "/console/applications/{app_id}", "An application at the counter or in review", 200),
        ("post", "/console/applications/{app_id}/accept", "Accept at the counter", 303),
        ("post", "/console/applications/{app_id}/refuse", "Refuse at the counter", 303),
        ("get", "/console/counter/new", "Counter or proxy application form", 200),
        ("post", "/console/counter/new", "Counter or proxy application", 303),
        ("get", "/console/review", "The review queue", 200),
        ("post", "/console/applications/{app_id}/approve", "Approve and issue", 303),
        ("post", "/console/applications/{app_id}/reject", "Reject with a reason", 303),
        ("get", "/console/search", "Person search", 200),
        ("get", "/console/credentials/{cred_id}", "Credential page", 200),
        ("post", "/console/credentials/{cred_id}/endorse", "Endorse", 303),
        ("post", "/console/credentials/{cred_id}/change", "Change", 303),
        ("post", "/console/credentials/{cred_id}/suspend", "Suspend", 303),
        ("post", "/console/credentials/{cred_id}/reinstate", "Reinstate", 303),
        ("post", "/console/credentials/{cred_id}/revoke", "Revoke", 303),
        ("post", "/console/credentials/{cred_id}/convert", "Convert", 303),
        ("post", "/console/credentials/{cred_id}/slip", "Print the paper slip", 200),
        ("post", "/console/credentials/{cred_id}/enrolment", "A one-time enrolment code", 200),
        ("get", "/console/visits", "Home visits", 200),
        ("post", "/console/visits/{task_id}", "Record a home visit", 303),
        ("get", "/console/cases", "Cases", 200),
        ("post", "/console/cases/{case_id}", "Decide a case", 303),
        ("get", "/console/officers", "Officer administration", 200),
        ("post", "/console/officers", "Create an officer", 303),
        ("post", "/console/officers/{username}/{action}", "Disable, enable or reset an officer", 303),
        ("get", "/console/imports", "Legacy imports", 200),
        ("post", "/console/imports", "Start a legacy import", 303),
        ("get", "/console/imports/{job_id}", "Import progress", 200),
        ("get", "/console/imports/{job_id}/report", "Import report", 200),
        ("post", "/v1/officers/assertion", "A signed statement of the officer for the scanner", 200),
        ("get", "/v1/officers/disabled", "The signed list of disabled officer accounts (keys.officer_list)", 200),
    )
)
