package api

import (
	"context"

	"github.com/amends/amends/desk"
)

// GoodwillRun is how GET /api/v1/credit-runs/:id answers for an incident's
// goodwill run: its lines say what a goodwill credit is (days of usage of
// the services credited, in the components of the grant's scope), with no
// uptime, tier or claim deadline, which mean nothing for goodwill.
type GoodwillRun struct {
	Run         desk.CreditRun `json:"run"`
	Outstanding *desk.RunIssue `json:"outstanding,omitempty"`
	Lines       []GoodwillLine `json:"lines"`
	Offset      int            `json:"offset"`
	Limit       int            `json:"limit"`
}

// GoodwillLine is one customer's line of a goodwill run: the services and
// components its incident's approved grant credits, its days, the
// customer's charges in that scope, the credit and what is payable, and
// the line's reason.
type GoodwillLine struct {
	Customer     string           `json:"customer"`
	Currency     string           `json:"currency"`
	Services     []string         `json:"services"`
	Components   []string         `json:"components"`
	Days         int64            `json:"days"`
	ChargesMinor int64            `json:"charges_minor"`
	CreditMinor  int64            `json:"credit_minor"`
	PayableMinor int64            `json:"payable_minor"`
	Claim        desk.ClaimStatus `json:"claim"`
	Reason       string           `json:"reason"`
}

// goodwillRun is out as a goodwill run's answer, its lines read with the
// incident's approved grant (services, components and days empty when no
// approved grant is found).
func (h *Handler) goodwillRun(ctx context.Context, out Run) (GoodwillRun, error) {
	grants, err := h.desk.GoodwillGrants(ctx, out.Run.Incident)
	if err != nil {
		return GoodwillRun{}, err
	}
	var g desk.GoodwillGrant
	for _, x := range grants {
		if x.State == desk.GoodwillApproved {
			g = x
		}
	}
	gr := GoodwillRun{Run: out.Run, Outstanding: out.Outstanding, Offset: out.Offset, Limit: out.Limit, Lines: make([]GoodwillLine, 0, len(out.Lines))}
	for _, l := range out.Lines {
		gr.Lines = append(gr.Lines, GoodwillLine{Customer: l.Customer, Currency: l.Currency,
			Services: nonNil(g.Services), Components: nonNil(g.Components), Days: g.Days,
			ChargesMinor: l.ChargesMinor, CreditMinor: l.CreditMinor, PayableMinor: l.PayableMinor,
			Claim: l.Claim, Reason: l.Reason})
	}
	return gr, nil
}
