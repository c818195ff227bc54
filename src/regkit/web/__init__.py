"""The web application: staff fill in, approve and sign the regulations' forms in a browser; the
records live in a database (SQLite by default, PostgreSQL by URL) that ``regkit check --database``
audits. A thin face over the library: forms, value checks, routes and prints come from regkit."""
