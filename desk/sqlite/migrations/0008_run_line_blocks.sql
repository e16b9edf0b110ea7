-- A run's lines stored compactly: blocks of up to 1024 lines each (line
-- seq = block * 1024 + its place in the block), encoded by runblocks.go,
-- one row per block instead of one per line, so that storing and reading
-- the 300,000 lines of a large month costs milliseconds. crediting counts
-- the block's lines whose credit is not zero (the run page's default
-- list). Runs stored before keep their lines in credit_run_lines, which
-- the code still reads; neither table ever changes a row.
CREATE TABLE credit_run_blocks (
	run_id INTEGER NOT NULL REFERENCES credit_runs (id),
	block INTEGER NOT NULL CHECK (block >= 0),
	lines INTEGER NOT NULL CHECK (lines BETWEEN 1 AND 1024),
	crediting INTEGER NOT NULL CHECK (crediting BETWEEN 0 AND lines),
	data BLOB NOT NULL,
	PRIMARY KEY (run_id, block)
) STRICT;
CREATE TRIGGER credit_run_blocks_no_update BEFORE UPDATE ON credit_run_blocks
BEGIN SELECT RAISE(ABORT, 'credit run lines are append-only'); END;
CREATE TRIGGER credit_run_blocks_no_delete BEFORE DELETE ON credit_run_blocks
BEGIN SELECT RAISE(ABORT, 'credit run lines are append-only'); END;
