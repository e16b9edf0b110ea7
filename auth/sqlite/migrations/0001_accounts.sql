-- Accounts: users, their browser sessions, API tokens and the one-time code
-- that creates the first admin. Of every secret (session id, token, setup
-- code) only its hex SHA-256 is kept; passwords only as argon2id PHC strings.
-- Users are never deleted, only disabled, so the audit log's actors stay
-- meaningful.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(trim(email))),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	role TEXT NOT NULL CHECK (role IN ('viewer', 'support', 'manager', 'admin')),
	password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
	user_id INTEGER NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_created ON sessions (created_at);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	role TEXT NOT NULL CHECK (role IN ('viewer', 'support', 'manager', 'admin')),
	secret_hash TEXT NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
	prefix TEXT NOT NULL CHECK (length(prefix) = 8),
	created_at TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- At most one pending setup code; only while there are no users.
CREATE TABLE setup_codes (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	code_hash TEXT NOT NULL CHECK (length(code_hash) = 64),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
