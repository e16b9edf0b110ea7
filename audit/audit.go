// Package audit is who acts and what the audit log says they did: Actor,
// the acting person every write is recorded under, and the read model of
// the append-only audit log (Filter selects rows, Record is one row).
//
// It is pure: it imports no database, HTTP or template package. The log is
// written in each store's own transactions (sqlitedb.Audit) and read by
// package audit/sqlite.
package audit

import "time"

// Actor is who makes a change. Person identifies the human (the two-person
// rules compare it, see Who: the same person with another token or session
// is still the same person); Label is what the audit log records, such as
// "ann@example.com (token ci)". An empty Label records Person. An actor that
// is no signed-in person (a visitor, the setup, an import) has only a Label.
type Actor struct {
	Person string
	Label  string
}

// Person is the actor who is the person p, recorded under p.
func Person(p string) Actor { return Actor{Person: p} }

// Named is an actor that is no signed-in person, only the name the audit
// log records: a visitor, the setup, the command line, an import.
func Named(label string) Actor { return Actor{Label: label} }

// Who is whom the two-person rules compare: Person, or, for an actor that
// is no person (see Named), the label.
func (a Actor) Who() string {
	if a.Person != "" {
		return a.Person
	}
	return a.Label
}

// AuditLabel is what the audit log records for a.
func (a Actor) AuditLabel() string {
	if a.Label != "" {
		return a.Label
	}
	return a.Person
}

// Filter selects audit log rows; empty fields select everything.
// From and To bound the instant (From inclusive, To exclusive).
type Filter struct {
	Actor  string // substring of the actor, case-insensitive
	Entity string // exact entity, e.g. "customer"
	// EntityID is the exact id of the entity, e.g. "acme"; with Entity it
	// selects one thing's history.
	EntityID string
	Action   string // exact action, or a prefix ending in ".", e.g. "credit_run."
	From     *time.Time
	To       *time.Time
	Offset   int
	Limit    int // 0 means 50
}

// Record is one stored audit log row; Before and After are the JSON as
// stored, "" for NULL.
type Record struct {
	ID       int64
	At       time.Time
	Actor    string
	Action   string
	Entity   string
	EntityID string
	Before   string
	After    string
}
