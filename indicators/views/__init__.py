"""The public pages of the figures: the dashboard and its embed (`dashboard`),
the exports and open data (`exports`), and the filters both read (`filters`)."""
