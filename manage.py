#!/usr/bin/env python
import os
import secrets
import sys

# Commands that sign nothing may run without the production secret (a fresh random key for
# this process only), so that tooling can check migrations or collect static files.
KEYLESS_COMMANDS = {"makemigrations", "collectstatic", "check", "showmigrations", "help"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(48))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
