package report

import (
	"context"
	"strconv"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// runsPage is how many credit runs one read of the list takes.
const runsPage = 500

// CheckDeletable says whether inc may be deleted as a mistake without
// taking back what the credit desk paid or is about to pay for it: an
// errs.Conflict naming the run or grant when a goodwill grant for it is
// pending or approved, a ledger entry names it, or a credit run that is
// requested or issued covers a month it touched (or pays its goodwill).
// Nil without a credit desk.
func (r *Reports) CheckDeletable(ctx context.Context, inc incidents.Incident, now time.Time) error {
	if r.desk == nil {
		return nil
	}
	id := strconv.FormatInt(inc.ID, 10)
	grants, err := r.desk.GoodwillGrants(ctx, id)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.State == desk.GoodwillPending || g.State == desk.GoodwillApproved {
			return errs.Conflictf("incident %d has goodwill grant %d (%s): withdraw it, or keep the incident", inc.ID, g.ID, g.State)
		}
	}
	end := now
	if inc.ResolvedAt != nil {
		end = *inc.ResolvedAt
	}
	months := map[string]bool{}
	for m := time.Date(inc.StartedAt.Year(), inc.StartedAt.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
		months[m.Format("2006-01")] = true
	}
	for offset := 0; ; {
		runs, total, err := r.desk.Runs(ctx, offset, runsPage)
		if err != nil {
			return err
		}
		for _, run := range runs {
			if run.State != desk.RunRequested && run.State != desk.RunIssued {
				continue
			}
			if (run.Kind == desk.RunIncident && run.Incident == id) || (run.Kind == desk.RunMonth && months[run.Period] && !inc.Excluded) {
				return errs.Conflictf("credit run %d (%s, %s) counted incident %d: deleting it would change what was paid", run.ID, run.Period, run.State, inc.ID)
			}
		}
		offset += len(runs)
		if len(runs) == 0 || offset >= total {
			break
		}
	}
	entries, err := r.ledgerEntries(ctx, desk.LedgerFilter{})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Incident != id {
			continue
		}
		what := "credit run " + strconv.FormatInt(e.RunID, 10)
		if e.RunID == 0 {
			what = "manual credit " + strconv.FormatInt(e.ManualID, 10)
		}
		return errs.Conflictf("%s paid for incident %d (ledger entry %d): deleting it would change what was paid", what, inc.ID, e.ID)
	}
	return nil
}
