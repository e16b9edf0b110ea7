// Package report is the one place that loads stored data and evaluates it
// for what people read: the credit desk's month lines and a customer's
// month, the SLA dashboard and reports, statements, the figures of
// explanation drafts, the uptime bars and the monthly uptime. It reads
// through the domain stores' interfaces and asks package sla for every
// figure; it returns plain structs, which the web layer formats for its
// pages and the JSON API. It writes nothing but a credit run's preview,
// which is an evaluation kept for approval.
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
}

// New returns Reports over the incident and credit desk stores.
func New(inc incidents.Store, d desk.Store) *Reports {
	return &Reports{incidents: inc, desk: d}
}
