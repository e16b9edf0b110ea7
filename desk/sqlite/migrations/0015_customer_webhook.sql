-- A customer may have a webhook besides its contact e-mail: approved
-- personal notices go to both, each message under its own delivery id.
-- webhook_secret signs its requests (HMAC-SHA256, as subscriber webhooks
-- are signed); it is made anew whenever the URL changes and is '' when
-- there is no webhook. A notice queued for a URL the customer has since
-- changed is not sent to the old one (the notify worker finds no secret).
ALTER TABLE customers ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
