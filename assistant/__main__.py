"""`python -m assistant plan|eligibility --profile F.json [--today YYYY-MM-DD] [--json]`."""

import sys

from assistant.cli import main

sys.exit(main())
