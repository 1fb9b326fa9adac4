"""`connect-backend dev`: the service with the Corbado emulator as its Corbado, and what a
developer uses beside the API. Nothing here is ever part of `serve` (decision 0023).

- `asgi.py`: the app dev's granian worker builds (`dev_app_from_environment`);
- `wiring.py`: the emulator built from dev's settings, reached by the container's Corbado client
  in-process;
- `mount.py`: the emulator mounted at `EMULATOR_MOUNT`, answering its own CORS;
- `demo.py`: the demo frontend at `/` (`static/demo/`), whose passkey ceremonies use that mount;
- `outbox.py`: `/_dev/outbox`, the mails dev would have sent, which the demo shows;
- `hosts.py`: dev answers only its loopback names (DNS rebinding).
"""
