// Package report is the one place that loads stored data and evaluates it
// for what people read: the current state (state.go), the public record
// and recent history behind the Statuspage-compatible API and the feeds
// (public.go), the credit desk's month lines, previews and goodwill runs
// (credits.go, goodwill.go), a customer's month and statement
// (customerreport.go, statement.go), the SLA dashboard and service reports
// (dashboard*.go, servicereport.go, scopes.go), the figures of explanation
// drafts (explanation.go), the uptime bars and the monthly uptime
// (uptime.go), and the reference checks across the stores that the pages
// and the JSON API share (checks.go). It reads through the domain stores'
// interfaces and asks package sla for every figure; it returns plain
// structs, which the web layer formats for its pages and the JSON API. It
// writes nothing but a credit run's preview, which is an evaluation kept
// for approval.
package report

import (
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
)

// Reports loads and evaluates stored data. Its methods are safe for
// concurrent use as the stores are.
type Reports struct {
	incidents incidents.Store
	desk      desk.Store
	// dash is what the SLA dashboard keeps of its finished months.
	dash *dashKept
}

// New returns Reports over the incident and credit desk stores.
func New(inc incidents.Store, d desk.Store) *Reports {
	return &Reports{incidents: inc, desk: d, dash: &dashKept{}}
}
