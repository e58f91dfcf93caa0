"""The files managers download and the open data: what each holds (`datasets`,
`open_files`), and how it is written, in Python (`writer`) or by PostgreSQL's COPY
(`pg_copy`)."""
