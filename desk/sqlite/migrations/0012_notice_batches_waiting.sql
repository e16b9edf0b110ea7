-- Requested notice batches wait for a second person too, and are counted
-- with the other requests on every admin page.
CREATE INDEX notice_batches_requested ON notice_batches (id) WHERE state = 'requested';
