-- A customer's private statement link: only the SHA-256 (hex) of its
-- random token is kept. Rotating replaces the row, so the old link stops
-- working at once.
CREATE TABLE customer_statement_links (
	customer_id TEXT PRIMARY KEY REFERENCES customers (id),
	token_sha256 TEXT NOT NULL UNIQUE,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
