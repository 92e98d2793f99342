"""Values aggregated in SQL into one comma-separated string, the comma written into the statement."""
from sqlalchemy import func, literal_column

# The separator as SQL text. Given as a string, SQLAlchemy binds it as a "literal execute" parameter,
# which it writes into the statement anew at every execution: on the identity's statement, read on
# every page with its four lists, that cost some 200,000 instructions a page.
COMMA = literal_column("','")


def comma_list(expression):
    """SQL: the non-null values of ``expression`` in one string, separated by commas (NULL when none)."""
    return func.aggregate_strings(expression, COMMA)
