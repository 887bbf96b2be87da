"""The verifier's HTTP edge: who is calling, the endpoints, and the error codes they answer.

``verifier.app`` assembles these into the Starlette app; the verdicts
themselves come from ``verifier.service`` (and through it the pure
``verifier.core``). Bodies, bearer tokens, ETags and the error body are the
edge both services share, ``keys.edge``.
"""
