-- Explanations (post-incident reports): numbered revisions per incident.
-- A revision is a draft, in review, or published; published revisions are
-- never changed or deleted, so a correction is a new revision. The CHECKs
-- and triggers repeat the domain's rules (incidents/explanation.go) as a
-- second line of defence; the Go code checks first.

CREATE TABLE explanation_revisions (
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	number INTEGER NOT NULL CHECK (number >= 1),
	title TEXT NOT NULL CHECK (length(title) <= 200),
	body TEXT NOT NULL CHECK (length(body) <= 100000),
	state TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'published')),
	author TEXT NOT NULL CHECK (author <> ''),
	return_note TEXT NOT NULL DEFAULT '' CHECK (length(return_note) <= 2000),
	returned_by TEXT NOT NULL DEFAULT '',
	returned_at TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	submitted_at TEXT,
	published_at TEXT,
	published_by TEXT,
	PRIMARY KEY (incident_id, number),
	CHECK ((state = 'draft') = (submitted_at IS NULL)),
	CHECK ((state = 'published') = (published_at IS NOT NULL)),
	CHECK ((published_at IS NULL) = (published_by IS NULL)),
	CHECK (state = 'draft' OR (title <> '' AND body <> '')),
	-- Nothing is published on one person's say.
	CHECK (published_by IS NULL OR published_by <> author)
) STRICT;
-- Only one unpublished revision per incident at a time.
CREATE UNIQUE INDEX explanation_revisions_one_pending ON explanation_revisions (incident_id) WHERE state <> 'published';
CREATE INDEX explanation_revisions_published ON explanation_revisions (published_at) WHERE state = 'published';

-- A revision starts as a draft, numbered after the incident's last one.
CREATE TRIGGER explanation_revisions_insert BEFORE INSERT ON explanation_revisions
WHEN NEW.state <> 'draft'
   OR NEW.number <> 1 + COALESCE((SELECT MAX(number) FROM explanation_revisions WHERE incident_id = NEW.incident_id), 0)
BEGIN SELECT RAISE(ABORT, 'a new explanation revision is a draft numbered after the last one'); END;
-- Published revisions are never changed, and no revision is deleted.
CREATE TRIGGER explanation_revisions_published_no_update BEFORE UPDATE ON explanation_revisions
WHEN OLD.state = 'published'
BEGIN SELECT RAISE(ABORT, 'a published explanation revision is never changed'); END;
CREATE TRIGGER explanation_revisions_no_delete BEFORE DELETE ON explanation_revisions
BEGIN SELECT RAISE(ABORT, 'explanation revisions are never deleted'); END;
-- Who and which revision never change.
CREATE TRIGGER explanation_revisions_identity BEFORE UPDATE OF incident_id, number, author, created_at ON explanation_revisions
WHEN NEW.incident_id IS NOT OLD.incident_id OR NEW.number IS NOT OLD.number
   OR NEW.author IS NOT OLD.author OR NEW.created_at IS NOT OLD.created_at
BEGIN SELECT RAISE(ABORT, 'an explanation revision keeps its incident, number and author'); END;
-- draft → in_review → published, or in_review back to draft.
CREATE TRIGGER explanation_revisions_state BEFORE UPDATE OF state ON explanation_revisions
WHEN NOT (NEW.state = OLD.state
   OR (OLD.state = 'draft' AND NEW.state = 'in_review')
   OR (OLD.state = 'in_review' AND NEW.state IN ('draft', 'published')))
BEGIN SELECT RAISE(ABORT, 'an explanation revision goes draft → in_review → published, or back to draft from review'); END;
-- The text changes only while it is a draft.
CREATE TRIGGER explanation_revisions_text BEFORE UPDATE OF title, body ON explanation_revisions
WHEN OLD.state <> 'draft' AND (NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body)
BEGIN SELECT RAISE(ABORT, 'the text of an explanation revision changes only while it is a draft'); END;
-- No one who changed the text publishes it.
CREATE TRIGGER explanation_revisions_publisher BEFORE UPDATE OF state ON explanation_revisions
WHEN NEW.state = 'published' AND EXISTS (SELECT 1 FROM explanation_editors e
	WHERE e.incident_id = NEW.incident_id AND e.number = NEW.number AND e.actor = NEW.published_by)
BEGIN SELECT RAISE(ABORT, 'an editor of an explanation revision may not publish it'); END;

-- Everyone other than the author who changed a revision's text, in order.
CREATE TABLE explanation_editors (
	incident_id INTEGER NOT NULL,
	number INTEGER NOT NULL,
	position INTEGER NOT NULL CHECK (position >= 0),
	actor TEXT NOT NULL CHECK (actor <> ''),
	PRIMARY KEY (incident_id, number, actor),
	UNIQUE (incident_id, number, position),
	FOREIGN KEY (incident_id, number) REFERENCES explanation_revisions (incident_id, number)
) STRICT;
CREATE TRIGGER explanation_editors_draft BEFORE INSERT ON explanation_editors
WHEN (SELECT state FROM explanation_revisions WHERE incident_id = NEW.incident_id AND number = NEW.number) IS NOT 'draft'
BEGIN SELECT RAISE(ABORT, 'only a draft explanation revision gets new editors'); END;
CREATE TRIGGER explanation_editors_no_update BEFORE UPDATE ON explanation_editors
BEGIN SELECT RAISE(ABORT, 'explanation editors are append-only'); END;
CREATE TRIGGER explanation_editors_no_delete BEFORE DELETE ON explanation_editors
BEGIN SELECT RAISE(ABORT, 'explanation editors are append-only'); END;
