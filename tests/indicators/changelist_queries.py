"""The queries of the admin's list of events, which its tests count."""

from django.db import connection

# session, user, the choices of the initiative, audience, organiser and co-organiser
# filters, the count of the listed events (not of all of them), the page's events
# with their initiative, organiser and totals, the events awaiting validation or
# correction, and the first and last dates, for the years of the date hierarchy:
# whatever the filters.
CHANGELIST_QUERIES = 10
# The same, and one count per filter (seven filters).
WITH_FACETS_QUERIES = CHANGELIST_QUERIES + 7
# On PostgreSQL a list without filter nor search first asks the planner how many
# events it shows, and counts them only below 10,000 (EventPaginator).
ESTIMATE = 1 if connection.vendor == "postgresql" else 0
# A partner's and a staff member's account: its permissions (two queries), and a
# partner's its organisations and its territories' initiatives (its events are
# narrowed to them on their credits).
ROLE_QUERIES = {"superuser": 0, "staff": 2, "manager": 2, "partner": 4}
