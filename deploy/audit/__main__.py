"""`python -m deploy.audit`: see `deploy.audit.command`."""

from deploy.audit.command import main

raise SystemExit(main())
