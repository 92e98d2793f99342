"""``initialize_portal_db <ini>``: bring the database schema to the newest migration."""
import argparse
import sys

from alembic import command
from portal.scripts.common import alembic_config, load_settings


def main(argv=None):
    parser = argparse.ArgumentParser(description="Create or upgrade the portal's database schema.")
    parser.add_argument("config_uri", help="the .ini file, e.g. development.ini")
    args = parser.parse_args(argv)
    settings = load_settings(args.config_uri)
    command.upgrade(alembic_config(args.config_uri, settings), "head")
    print("The database schema is up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
