"""The edge both services share: HTTP errors and bodies, bearer tokens, ETags, private files, settings.

``issuer/`` and ``verifier/`` never import each other; what they both need at
their outer layer lives here, next to the key and wire-format code they also
share. Import the submodules themselves (``keys.edge.errors``, ``keys.edge.body``,
``keys.edge.bearer``, ``keys.edge.etag``, ``keys.edge.routing``,
``keys.edge.static``, ``keys.edge.files``, ``keys.edge.env``): the last two need
no web framework, so ``keys`` stays usable without one.
"""
