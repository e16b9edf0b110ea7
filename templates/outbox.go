package templates

// OutboxPage is "/admin/outbox": the local mail spool, newest first.
type OutboxPage struct {
	Page
	// Spooled says e-mail goes to the spool now (no SMTP server).
	Spooled    bool
	Total      string
	Messages   []OutboxMessage
	Pagination Pagination
}

// OutboxMessage is one spooled e-mail taken apart.
type OutboxMessage struct {
	ID      string
	At      Time
	To      string
	Subject string
	Headers []Pair
	// Text is the plain-text body, its links apart so they can be followed.
	Text []TextRun
	// HTML is the HTML body's source, shown as text.
	HTML      string
	HTMLLinks []string
	// Problem says why the message could not be taken apart.
	Problem string
}

// Pair is a name and its value (a header line).
type Pair struct{ Name, Value string }

// TextRun is a run of text; a link when URL is set.
type TextRun struct{ Text, URL string }
