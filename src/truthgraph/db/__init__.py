"""PostgreSQL + pgvector: the embedded server, migrations, and the evidence store."""
