"""The officials' console at ``/console/``: server-rendered pages over the registry.

Pages are plain HTML forms (they work without JavaScript and by keyboard), Chinese
first with an English switch. Every page needs an officer session
(issuer.officers.sessions); every form carries the session's CSRF token; every act
is checked against the officer's role (issuer.officers.roles) and recorded under
the officer's name. Refusals show the same stable codes and messages as the JSON APIs.
"""
