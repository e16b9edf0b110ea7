package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// The reference checks that the admin pages and the JSON API share: a
// record of one store that names a record of another (a policy's or a
// manual credit's service, a resource's or a charge's component, the
// customers an impact names) must name one that exists. Each answers
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
