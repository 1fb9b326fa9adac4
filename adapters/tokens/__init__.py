"""ES256 access tokens: signing keys, JWKS and the python-jose adapter."""
