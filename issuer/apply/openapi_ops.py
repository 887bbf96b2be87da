"""The applicant platform's operations for the issuer's OpenAPI document (issuer.openapi)."""

from __future__ import annotations

from issuer.openapi import Op

__all__ = ["ADMIN_OPS", "API_OPS", "PAGE_OPS"]

_A = "/apply/api/v1"

API_OPS: tuple[Op, ...] = (
    ("post", f"{_A}/sms-codes", "public", "Text a verification code (purpose register or reset)", 202, (400, 415)),
    ("post", f"{_A}/accounts", "public", "Register under one's real name; signs in", 201, (400, 409, 415)),
    ("post", f"{_A}/session", "public", "Sign in (login, password, totp); TOO_MANY_ATTEMPTS with Retry-After", 200,
     (401, 403, 429)),
    ("delete", f"{_A}/session", "session", "Sign out", 204, (403,)),
    ("get", f"{_A}/me", "session", "The account and its CSRF token", 200, (401,)),
    ("post", f"{_A}/password-reset", "public", "Set a new password with a texted code", 200, (400,)),
    ("post", f"{_A}/totp", "session", "Start enrolling a TOTP second factor (otpauth URI)", 200, (401, 403)),
    ("post", f"{_A}/totp/confirm", "session", "Turn the second factor on with a current code", 200, (400, 401, 403)),
    ("get", f"{_A}/applications", "session", "The account's applications", 200, (401,)),
    ("post", f"{_A}/applications", "session", "Start a draft (kind); only for oneself: PROXY_NOT_ONLINE", 201,
     (400, 401, 403)),
    ("get", f"{_A}/applications/{{app_id}}", "session", "One application with timeline, evidence, appointment", 200,
     (401, 404)),
    ("patch", f"{_A}/applications/{{app_id}}", "session", "Edit draft fields", 200, (400, 401, 403, 404, 409)),
    ("post", f"{_A}/applications/{{app_id}}/preview", "session", "Check the answers (APPLICATION_INCOMPLETE)", 200,
     (400, 401, 403, 404, 409)),
    ("post", f"{_A}/applications/{{app_id}}/submit", "session", "Submit", 200, (400, 401, 403, 404, 409)),
    ("post", f"{_A}/applications/{{app_id}}/withdraw", "session", "Withdraw before acceptance", 200,
     (401, 403, 404, 409)),
    ("post", f"{_A}/applications/{{app_id}}/evidence", "session", "Upload a PDF, JPEG or PNG (multipart kind, file)",
     201, (400, 401, 403, 404, 413)),
    ("get", f"{_A}/applications/{{app_id}}/stations", "session", "Stations of the district, busyness, suggestion",
     200, (401, 404)),
    ("put", f"{_A}/applications/{{app_id}}/appointment", "session", "Book or rebook (station_id, day, half)", 200,
     (400, 401, 403, 404, 409)),
    ("delete", f"{_A}/applications/{{app_id}}/appointment", "session", "Cancel the visit", 204, (401, 403, 404)),
    ("get", f"{_A}/notifications", "session", "Notices, newest first", 200, (401,)),
    ("get", f"{_A}/credentials", "session", "The account holder's credentials", 200, (401,)),
    ("post", f"{_A}/credentials/{{cred_id}}/enrolment", "session",
     "A one-time code to enrol this phone (then POST /v1/holder/enrol)", 201, (401, 403, 404)),
)

ADMIN_OPS: tuple[Op, ...] = (
    ("get", "/admin/stations", "admin", "The station directory", 200, (401,)),
    ("put", "/admin/stations/{station_id}", "admin", "Add or edit a station", 200, (400, 401)),
    ("get", "/admin/calendar", "admin", "Years loaded into the holiday table", 200, (401,)),
    ("put", "/admin/calendar/{year}", "admin", "Load a year's holidays and make-up working days", 200, (400, 401)),
)

PAGE_OPS: tuple[Op, ...] = tuple(
    (method, path, auth, summary, status, ())
    for method, path, auth, summary, status in (
        ("get", "/apply", "public", "Redirect to /apply/", 307),
        ("get", "/apply/", "public", "Applicant platform home (HTML)", 200),
        ("get", "/apply/help", "public", "Guide, rules and questions (HTML)", 200),
        ("get", "/apply/register", "public", "Registration form", 200),
        ("post", "/apply/register", "public", "Registration form submitted", 303),
        ("get", "/apply/login", "public", "Sign-in form", 200),
        ("post", "/apply/login", "public", "Sign-in form submitted", 303),
        ("post", "/apply/logout", "session", "Sign out", 303),
        ("get", "/apply/reset", "public", "Password reset form", 200),
        ("post", "/apply/reset", "public", "Password reset submitted", 200),
        ("get", "/apply/account", "session", "The account page", 200),
        ("get", "/apply/account/security", "session", "Two-step sign-in page", 200),
        ("post", "/apply/account/security", "session", "Two-step sign-in form", 303),
        ("post", "/apply/credentials/{cred_id}/phone", "session", "Add the permit to this phone", 200),
        ("post", "/apply/credentials/{cred_id}/lost", "session", "挂失: remove every phone of the permit", 200),
        ("post", "/apply/applications", "session", "Start an application", 303),
        ("get", "/apply/applications/{app_id}", "session", "Application page", 200),
        ("post", "/apply/applications/{app_id}", "session", "Application form", 303),
        ("get", "/apply/applications/{app_id}/preview", "session", "Check your answers", 200),
        ("post", "/apply/applications/{app_id}/preview", "session", "Submit", 303),
        ("post", "/apply/applications/{app_id}/withdraw", "session", "Withdraw", 303),
        ("post", "/apply/applications/{app_id}/evidence", "session", "Upload evidence", 303),
        ("get", "/apply/applications/{app_id}/evidence/{evidence_id}", "session", "Download own evidence", 200),
        ("post", "/apply/applications/{app_id}/evidence/{evidence_id}/remove", "session", "Remove evidence", 303),
        ("get", "/apply/applications/{app_id}/booking", "session", "Book a visit", 200),
        ("post", "/apply/applications/{app_id}/booking", "session", "Book a visit", 303),
        ("post", "/apply/applications/{app_id}/booking/cancel", "session", "Cancel the visit", 303),
        ("get", "/apply/applications/{app_id}/notice", "session", "Acceptance notice", 200),
        ("get", "/apply/applications/{app_id}/notice.pdf", "session", "Acceptance notice (PDF)", 200),
    )
)
