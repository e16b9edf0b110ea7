-- A credit run's own credits (its tier or goodwill entries, never an
-- adjustment) are stored compactly: blocks of up to 1024 entries, one row
-- each, encoded by ledgerblocks.go, instead of a row of ledger_entries
-- each, so that issuing the 300,000 entries of a large month writes a few
-- hundred rows and no index entry per credit. A block's entries have the
-- consecutive ids first_id .. first_id + entries - 1, in the one id space
-- of the ledger: no row of ledger_entries and no other block ever takes
-- one of them, which the triggers below check. What the entries of a block
-- share are its columns; min_customer and max_customer bound its
-- customers, so that a customer's entries are found without decoding every
-- block. Like ledger_entries, the table is append-only; entries written
-- before it stay rows of ledger_entries, and the code reads both.
CREATE TABLE ledger_blocks (
	first_id INTEGER PRIMARY KEY CHECK (first_id > 0),
	entries INTEGER NOT NULL CHECK (entries BETWEEN 1 AND 1024),
	run_id INTEGER NOT NULL REFERENCES credit_runs (id),
	kind TEXT NOT NULL CHECK (kind IN ('tier', 'goodwill')),
	period TEXT NOT NULL,
	incident TEXT NOT NULL,
	created_at TEXT NOT NULL,
	actor TEXT NOT NULL,
	min_customer TEXT NOT NULL,
	max_customer TEXT NOT NULL CHECK (max_customer >= min_customer),
	data BLOB NOT NULL
) STRICT;
CREATE INDEX ledger_blocks_key ON ledger_blocks (period, kind);
CREATE INDEX ledger_blocks_run ON ledger_blocks (run_id);
CREATE INDEX ledger_blocks_customer ON ledger_blocks (min_customer, max_customer);
CREATE TRIGGER ledger_blocks_no_update BEFORE UPDATE ON ledger_blocks
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_blocks_no_delete BEFORE DELETE ON ledger_blocks
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_blocks_own_ids AFTER INSERT ON ledger_blocks
WHEN EXISTS (SELECT 1 FROM ledger_entries WHERE id >= NEW.first_id AND id < NEW.first_id + NEW.entries)
	OR (SELECT first_id + entries FROM ledger_blocks WHERE first_id < NEW.first_id ORDER BY first_id DESC LIMIT 1) > NEW.first_id
	OR (SELECT first_id FROM ledger_blocks WHERE first_id > NEW.first_id ORDER BY first_id LIMIT 1) < NEW.first_id + NEW.entries
BEGIN SELECT RAISE(ABORT, 'a ledger block takes ids another entry holds'); END;
CREATE TRIGGER ledger_entries_own_id AFTER INSERT ON ledger_entries
WHEN (SELECT first_id + entries FROM ledger_blocks WHERE first_id <= NEW.id ORDER BY first_id DESC LIMIT 1) > NEW.id
BEGIN SELECT RAISE(ABORT, 'a ledger entry takes an id a ledger block holds'); END;
