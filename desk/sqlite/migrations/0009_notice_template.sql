-- The wording of the personal notices an incident's affected customers
-- get: one template (Markdown with placeholders), edited by support; its
-- changes are in the audit log. Without a row, desk.DefaultNoticeTemplate.
CREATE TABLE notice_template (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
