"""Protection of the service from its clients: rate limits, login throttling, and who the client
is behind trusted proxies. Rules only; the web layer decodes a request and calls them."""
