package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// The reference checks that the admin pages and the JSON API share: a
// record of one store that names a record of another (a policy's or a
// manual credit's service, a resource's or a charge's component, the
// customers an impact names, the customer and run a ledger filter names,
// the customer the manual credits are filtered by) must name one that
// exists. Each answers
// errs.Invalid on the field that names it, so that both show the error
// where it was made.

// KnownService returns errs.Invalid on field unless service id exists.
func (r *Reports) KnownService(ctx context.Context, field, id string) error {
	if id == "" {
		return errs.Invalidf(field, "is required")
	}
	_, err := r.incidents.Service(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return errs.Invalidf(field, "unknown service %q", id)
	}
	return err
}

// KnownComponent returns errs.Invalid on field unless component id exists.
func (r *Reports) KnownComponent(ctx context.Context, field, id string) error {
	if id == "" {
		return errs.Invalidf(field, "is required")
	}
	_, err := r.incidents.Component(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return errs.Invalidf(field, "unknown component %q", id)
	}
	return err
}

// KnownCustomer returns errs.Invalid on field unless the credit desk keeps
// customer id: a filter naming one it does not keep would select nothing
// without saying why.
func (r *Reports) KnownCustomer(ctx context.Context, field, id string) error {
	if id == "" {
		return errs.Invalidf(field, "is required")
	}
	_, err := r.desk.Account(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return errs.Invalidf(field, "unknown customer %q", id)
	}
	return err
}

// CheckCustomers refuses a customer that the credit desk does not keep:
// errs.Invalid on "components[i].customers[j].customer". The accounts are
// read once, however many customers the changes name.
func (r *Reports) CheckCustomers(ctx context.Context, changes []incidents.ComponentChange) error {
	var known map[string]bool
	for i, ch := range changes {
		for j, ac := range ch.Customers {
			id := strings.TrimSpace(ac.Customer)
			if id == "" {
				continue
			}
			if known == nil {
				accounts, err := r.desk.Accounts(ctx)
				if err != nil {
					return err
				}
				known = make(map[string]bool, len(accounts))
				for _, a := range accounts {
					known[a.ID] = true
				}
			}
			if !known[id] {
				return errs.Invalidf(fmt.Sprintf("components[%d].customers[%d].customer", i, j), "unknown customer %q", id)
			}
		}
	}
	return nil
}

// CheckLedgerFilter refuses a ledger filter that names what the credit
// desk does not keep, which would select no entries without saying why:
// errs.Invalid on "customer" for an unknown customer, on "run" for a
// credit run that does not exist. A known run that wrote nothing (one
// not issued, or issued with nothing left to pay) is a filter like any
// other.
func (r *Reports) CheckLedgerFilter(ctx context.Context, f desk.LedgerFilter) error {
	if f.Customer != "" {
		if err := r.KnownCustomer(ctx, "customer", f.Customer); err != nil {
			return err
		}
	}
	if f.RunID != 0 {
		_, err := r.desk.Run(ctx, f.RunID)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Invalidf("run", "there is no credit run %d", f.RunID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
