"""The staff areas' pages: the service queue, the back office, the dashboard."""
