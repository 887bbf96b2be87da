"""Application records of the applicant platform and the officials' console.

``store`` holds the records and their state moves, ``rules`` what each kind needs,
``workdays`` the working-day calendar, ``stations`` and ``appointments`` the
visits, ``evidence`` the uploaded files. docs/applications.md describes them.
"""
