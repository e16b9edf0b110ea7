// Package incidents is the status-page domain of Amends: services and their
// components, incidents with their append-only timeline of updates, scheduled
// maintenance, and the rules that derive what the status page shows.
//
// It is pure: it imports no database, HTTP or template package and never
// reads the clock. Functions that depend on the time take now. Storage
// implements Store (see incidents/sqlite); every error returned here is an
// *errs.Error whose Field names the input that broke a rule.
package incidents
