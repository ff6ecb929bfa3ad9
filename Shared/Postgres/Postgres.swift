/// PostgreSQL through libpq.
public enum PostgresLibrary {}
