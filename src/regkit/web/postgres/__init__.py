"""PostgreSQL as the web application's database: Django's backend, with a cheaper connection check."""
