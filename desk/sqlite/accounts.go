package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

const accountCols = `id, name, external_id, currency, email, webhook_url, webhook_secret, created_at, updated_at`

func scanAccount(sc interface{ Scan(...any) error }) (desk.Account, error) {
	var a desk.Account
	var created, updated string
	if err := sc.Scan(&a.ID, &a.Name, &a.ExternalID, &a.Currency, &a.Email, &a.WebhookURL, &a.WebhookSecret, &created, &updated); err != nil {
		return a, err
	}
	var err error
	if a.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return a, err
	}
	a.UpdatedAt, err = sqlitedb.ParseTime(updated)
	return a, err
}

// Accounts returns every account by ID.
func (st *Store) Accounts(ctx context.Context) (_ []desk.Account, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Accounts")
	return listAccounts(ctx, st.db)
}

func listAccounts(ctx context.Context, q sqlitedb.Queryer) ([]desk.Account, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+accountCols+` FROM customers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Account returns one account; errs.NotFound.
func (st *Store) Account(ctx context.Context, id string) (_ desk.Account, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Account %s", id)
	return account(ctx, st.db, id)
}

func account(ctx context.Context, q sqlitedb.Queryer, id string) (desk.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM customers WHERE id = ?`, id))
	return a, notFound(err, "customer %q not found", id)
}

// knownAccount is account for a reference: an unknown customer is
// errs.Invalid on field.
func knownAccount(ctx context.Context, q sqlitedb.Queryer, field, id string) (desk.Account, error) {
	a, err := account(ctx, q, id)
	if errs.CodeOf(err) == errs.NotFound {
		return a, errs.Invalidf(field, "unknown customer %q", id)
	}
	return a, err
}

// CreateAccount adds a; errs.Invalid (see desk.Account.Validate),
// errs.Conflict if its ID is taken.
func (st *Store) CreateAccount(ctx context.Context, by audit.Actor, a desk.Account, now time.Time) (_ desk.Account, err error) {
	defer errs.Wrap(&err, "desk/sqlite: CreateAccount %s", a.ID)
	a = a.Normalize()
	if err := a.Validate(); err != nil {
		return desk.Account{}, err
	}
	a.CreatedAt, a.UpdatedAt = seconds(now), seconds(now)
	a.WebhookSecret = ""
	if a.WebhookURL != "" {
		a.WebhookSecret = newWebhookSecret()
	}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO customers (`+accountCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Name, a.ExternalID, a.Currency, a.Email, a.WebhookURL, a.WebhookSecret, sqlitedb.FormatTime(a.CreatedAt), sqlitedb.FormatTime(a.UpdatedAt))
		if isUnique(err) {
			return errs.Conflictf("customer %q already exists", a.ID)
		}
		if err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "customer.create", Entity: "customer", EntityID: a.ID, After: a, At: a.CreatedAt})
	})
	if err != nil {
		return desk.Account{}, err
	}
	return a, nil
}

// UpdateAccount replaces the account with a's ID: errs.NotFound,
// errs.Invalid, errs.Conflict on a currency change once the customer has
// charges or ledger entries. A changed webhook URL gets a new signing
// secret (none without a URL); a's own WebhookSecret is ignored.
func (st *Store) UpdateAccount(ctx context.Context, by audit.Actor, a desk.Account, now time.Time) (_ desk.Account, err error) {
	defer errs.Wrap(&err, "desk/sqlite: UpdateAccount %s", a.ID)
	a = a.Normalize()
	if err := a.Validate(); err != nil {
		return desk.Account{}, err
	}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		old, err := account(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if old.Currency != a.Currency {
			var used bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM customer_charges WHERE customer_id = ?)
				OR EXISTS (SELECT 1 FROM ledger_entries WHERE customer_id = ?)`, a.ID, a.ID).Scan(&used); err != nil {
				return err
			}
			if !used {
				if used, err = customerHasBlockEntries(ctx, tx, a.ID); err != nil {
					return err
				}
			}
			if used {
				return errs.Conflictf("customer %q has charges or credits in %s; its currency can no longer change", a.ID, old.Currency)
			}
		}
		a.CreatedAt, a.UpdatedAt = old.CreatedAt, seconds(now)
		switch {
		case a.WebhookURL == "":
			a.WebhookSecret = ""
		case a.WebhookURL == old.WebhookURL:
			a.WebhookSecret = old.WebhookSecret
		default:
			a.WebhookSecret = newWebhookSecret()
		}
		if a == old {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET name = ?, external_id = ?, currency = ?, email = ?, webhook_url = ?, webhook_secret = ?, updated_at = ? WHERE id = ?`,
			a.Name, a.ExternalID, a.Currency, a.Email, a.WebhookURL, a.WebhookSecret, sqlitedb.FormatTime(a.UpdatedAt), a.ID); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "customer.update", Entity: "customer", EntityID: a.ID, Before: old, After: a, At: a.UpdatedAt})
	})
	if err != nil {
		return desk.Account{}, err
	}
	return a, nil
}

// newWebhookSecret returns a random secret that signs a customer's
// webhook requests, in the form of a subscriber webhook's.
func newWebhookSecret() string {
	return "whsec_" + newClaim()
}

const resourceCols = `id, customer_id, component_id, count, from_at, to_at`

func scanResource(sc interface{ Scan(...any) error }) (desk.AccountResource, error) {
	var r desk.AccountResource
	var from, to sql.NullString
	if err := sc.Scan(&r.ID, &r.Customer, &r.Component, &r.Count, &from, &to); err != nil {
		return r, err
	}
	var err error
	if r.From, err = sqlitedb.ParseNullTime(from); err != nil {
		return r, err
	}
	r.To, err = sqlitedb.ParseNullTime(to)
	return r, err
}

func listResources(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]desk.AccountResource, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+resourceCols+` FROM customer_resources `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.AccountResource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Resources returns a customer's resource entries, oldest first.
func (st *Store) Resources(ctx context.Context, customer string) (_ []desk.AccountResource, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Resources %s", customer)
	return listResources(ctx, st.db, `WHERE customer_id = ? ORDER BY id`, customer)
}

// ResourcesPage returns a page of a customer's resource entries, oldest
// first, and how many it has: errs.Invalid on "offset" or "limit".
func (st *Store) ResourcesPage(ctx context.Context, customer string, offset, limit int) (_ []desk.AccountResource, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ResourcesPage %s %d %d", customer, offset, limit)
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	total, err := countOf(ctx, st.db, `customer_resources`, customer)
	if err != nil {
		return nil, 0, err
	}
	list, err := listResources(ctx, st.db, `WHERE customer_id = ? ORDER BY id LIMIT ? OFFSET ?`, customer, limit, offset)
	return list, total, err
}

// countOf counts the rows of table whose customer_id is customer.
func countOf(ctx context.Context, q sqlitedb.Queryer, table, customer string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE customer_id = ?`, customer).Scan(&n)
	return n, err
}

func truncPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	s := seconds(*t)
	return &s
}

// AddResource adds a resource entry: errs.Invalid (see
// desk.AccountResource.ValidateAt), "customer" when unknown.
func (st *Store) AddResource(ctx context.Context, by audit.Actor, r desk.AccountResource, now time.Time) (_ desk.AccountResource, err error) {
	defer errs.Wrap(&err, "desk/sqlite: AddResource %s %s", r.Customer, r.Component)
	if err := r.ValidateAt(now); err != nil {
		return desk.AccountResource{}, err
	}
	r.From, r.To = truncPtr(r.From), truncPtr(r.To)
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = addResource(ctx, tx, by, r, now)
		return err
	})
	if err != nil {
		return desk.AccountResource{}, err
	}
	return r, nil
}

// UpdateResource replaces resource entry r.ID of r.Customer: errs.NotFound,
// errs.Invalid.
func (st *Store) UpdateResource(ctx context.Context, by audit.Actor, r desk.AccountResource, now time.Time) (_ desk.AccountResource, err error) {
	defer errs.Wrap(&err, "desk/sqlite: UpdateResource %s %d", r.Customer, r.ID)
	if err := r.ValidateAt(now); err != nil {
		return desk.AccountResource{}, err
	}
	r.From, r.To = truncPtr(r.From), truncPtr(r.To)
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		list, err := listResources(ctx, tx, `WHERE id = ? AND customer_id = ?`, r.ID, r.Customer)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return errs.NotFoundf("customer %q has no resource entry %d", r.Customer, r.ID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customer_resources SET component_id = ?, count = ?, from_at = ?, to_at = ? WHERE id = ?`,
			r.Component, r.Count, sqlitedb.NullTime(r.From), sqlitedb.NullTime(r.To), r.ID); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "customer_resource.update", Entity: "customer_resource", EntityID: strconv.FormatInt(r.ID, 10), Before: list[0], After: r, At: seconds(now)})
	})
	if err != nil {
		return desk.AccountResource{}, err
	}
	return r, nil
}

// Charges returns a customer's charges of month ("" for every month), by
// month then component.
func (st *Store) Charges(ctx context.Context, customer, month string) (_ []desk.AccountCharge, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Charges %s %s", customer, month)
	if month == "" {
		return listCharges(ctx, st.db, `WHERE ch.customer_id = ? ORDER BY ch.month, ch.component_id`, customer)
	}
	return listCharges(ctx, st.db, `WHERE ch.customer_id = ? AND ch.month = ? ORDER BY ch.component_id`, customer, month)
}

// ChargesPage returns a page of a customer's charges, by month then
// component, and how many it has: errs.Invalid on "offset" or "limit".
func (st *Store) ChargesPage(ctx context.Context, customer string, offset, limit int) (_ []desk.AccountCharge, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ChargesPage %s %d %d", customer, offset, limit)
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	total, err := countOf(ctx, st.db, `customer_charges`, customer)
	if err != nil {
		return nil, 0, err
	}
	list, err := listCharges(ctx, st.db, `WHERE ch.customer_id = ? ORDER BY ch.month, ch.component_id LIMIT ? OFFSET ?`, customer, limit, offset)
	return list, total, err
}

// ChargeMonths returns the months a customer has charges in, oldest first.
func (st *Store) ChargeMonths(ctx context.Context, customer string) (_ []string, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ChargeMonths %s", customer)
	rows, err := st.db.QueryContext(ctx, `SELECT DISTINCT month FROM customer_charges WHERE customer_id = ? ORDER BY month`, customer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func listCharges(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]desk.AccountCharge, error) {
	rows, err := q.QueryContext(ctx, `SELECT ch.id, ch.customer_id, ch.component_id, ch.month, ch.amount_minor, c.currency
		FROM customer_charges ch JOIN customers c ON c.id = ch.customer_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.AccountCharge
	for rows.Next() {
		var ch desk.AccountCharge
		if err := rows.Scan(&ch.ID, &ch.Customer, &ch.Component, &ch.Month, &ch.AmountMinor, &ch.Currency); err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// PutCharge sets the charge of ch's customer, component and month,
// correcting any earlier one: errs.Invalid (see desk.AccountCharge.Validate;
// "currency" for another currency than the customer's, "customer" for an
// unknown customer). Setting the amount it already has writes nothing.
func (st *Store) PutCharge(ctx context.Context, by audit.Actor, ch desk.AccountCharge, now time.Time) (_ desk.AccountCharge, err error) {
	defer errs.Wrap(&err, "desk/sqlite: PutCharge %s %s %s", ch.Customer, ch.Component, ch.Month)
	if err := desk.CheckAccountID("customer", ch.Customer); err != nil {
		return desk.AccountCharge{}, err
	}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		ch, err = putCharge(ctx, tx, by, ch, now)
		return err
	})
	if err != nil {
		return desk.AccountCharge{}, err
	}
	return ch, nil
}

// addResource inserts r (validated, instants truncated) in tx with its audit entry.
func addResource(ctx context.Context, tx *sql.Tx, by audit.Actor, r desk.AccountResource, now time.Time) (desk.AccountResource, error) {
	if _, err := knownAccount(ctx, tx, "customer", r.Customer); err != nil {
		return r, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO customer_resources (customer_id, component_id, count, from_at, to_at) VALUES (?, ?, ?, ?, ?)`,
		r.Customer, r.Component, r.Count, sqlitedb.NullTime(r.From), sqlitedb.NullTime(r.To))
	if err != nil {
		return r, err
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return r, err
	}
	return r, sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "customer_resource.create", Entity: "customer_resource", EntityID: strconv.FormatInt(r.ID, 10), After: r, At: seconds(now)})
}

// putCharge sets ch in tx with its audit entry (see PutCharge).
func putCharge(ctx context.Context, tx *sql.Tx, by audit.Actor, ch desk.AccountCharge, now time.Time) (desk.AccountCharge, error) {
	a, err := knownAccount(ctx, tx, "customer", ch.Customer)
	if err != nil {
		return ch, err
	}
	if err := ch.Validate(a); err != nil {
		return ch, err
	}
	if err := desk.CheckMonthAt("month", ch.Month, now); err != nil {
		return ch, err
	}
	ch.Currency = a.Currency
	old, err := listCharges(ctx, tx, `WHERE ch.customer_id = ? AND ch.component_id = ? AND ch.month = ?`, ch.Customer, ch.Component, ch.Month)
	if err != nil {
		return ch, err
	}
	action := "customer_charge.create"
	var before any
	if len(old) > 0 {
		ch.ID = old[0].ID
		if old[0].AmountMinor == ch.AmountMinor {
			return ch, nil
		}
		action, before = "customer_charge.correct", old[0]
		if _, err := tx.ExecContext(ctx, `UPDATE customer_charges SET amount_minor = ? WHERE id = ?`, ch.AmountMinor, ch.ID); err != nil {
			return ch, err
		}
	} else {
		res, err := tx.ExecContext(ctx, `INSERT INTO customer_charges (customer_id, component_id, month, amount_minor) VALUES (?, ?, ?, ?)`,
			ch.Customer, ch.Component, ch.Month, ch.AmountMinor)
		if err != nil {
			return ch, err
		}
		if ch.ID, err = res.LastInsertId(); err != nil {
			return ch, err
		}
	}
	return ch, sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "customer_charge", EntityID: strconv.FormatInt(ch.ID, 10), Before: before, After: ch, At: seconds(now)})
}

// ImportAccountData adds resources and sets charges in one transaction,
// each with its audit entry; any error stores nothing and names the row.
func (st *Store) ImportAccountData(ctx context.Context, by audit.Actor, resources []desk.AccountResource, charges []desk.AccountCharge, now time.Time) (err error) {
	defer errs.Wrap(&err, "desk/sqlite: ImportAccountData %d resources, %d charges", len(resources), len(charges))
	for i, r := range resources {
		if err := r.ValidateAt(now); err != nil {
			return errs.Prefix(fmt.Sprintf("resources[%d]", i), err)
		}
	}
	for i, ch := range charges {
		if err := desk.CheckAccountID("customer", ch.Customer); err != nil {
			return errs.Prefix(fmt.Sprintf("charges[%d]", i), err)
		}
	}
	return st.inTx(ctx, func(tx *sql.Tx) error {
		for i, r := range resources {
			r.From, r.To = truncPtr(r.From), truncPtr(r.To)
			if _, err := addResource(ctx, tx, by, r, now); err != nil {
				return errs.Prefix(fmt.Sprintf("resources[%d]", i), err)
			}
		}
		for i, ch := range charges {
			if _, err := putCharge(ctx, tx, by, ch, now); err != nil {
				return errs.Prefix(fmt.Sprintf("charges[%d]", i), err)
			}
		}
		return nil
	})
}
