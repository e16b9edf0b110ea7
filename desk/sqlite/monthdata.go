package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/prefault"
	"github.com/amends/amends/internal/sqlitedb"
)

// MonthData returns what a run of month needs, read in one transaction so
// that it is one consistent picture: every account (ID, name and currency
// only), the resource entries
// that overlap desk.MonthWindow(month), the month's charges, every policy and
// the month's claims. errs.Invalid on "month".
func (st *Store) MonthData(ctx context.Context, month string) (_ *desk.MonthData, err error) {
	defer errs.Wrap(&err, "desk/sqlite: MonthData %s", month)
	return st.monthData(ctx, month, nil)
}

// MonthDataFor is MonthData for the given customers only: their accounts,
// resource entries, charges and claims (every policy still), read through
// the indexes by customer, so that one customer's figures cost what its
// own data costs, not what the desk's does. Unknown customers are left
// out; no customers reads none. errs.Invalid on "month".
func (st *Store) MonthDataFor(ctx context.Context, month string, customers []string) (_ *desk.MonthData, err error) {
	defer errs.Wrap(&err, "desk/sqlite: MonthDataFor %s %v", month, customers)
	ids := make([]string, 0, len(customers))
	for _, c := range customers {
		if !slices.Contains(ids, c) {
			ids = append(ids, c)
		}
	}
	return st.monthData(ctx, month, ids)
}

// monthData reads a month's data of every customer (ids nil) or of ids.
func (st *Store) monthData(ctx context.Context, month string, ids []string) (*desk.MonthData, error) {
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return nil, err
	}
	// only is the condition on customer_id ("" for everyone), and its arguments.
	only, in := "", []any{}
	if ids != nil {
		only = `customer_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + `)`
		if len(ids) == 0 {
			only = `0`
		}
		for _, id := range ids {
			in = append(in, id)
		}
	}
	and := func(cond string) string {
		if only == "" {
			return cond
		}
		return only + ` AND ` + cond
	}
	parts := monthParts{month: month, from: from, to: to, only: only, in: in, and: and}
	if ids == nil {
		// The whole desk: the two halves on two connections at once.
		if d, ok, err := st.monthDataParallel(ctx, &parts); err != nil || ok {
			return d, err
		}
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d := &desk.MonthData{}
	if err := parts.accounts(ctx, tx, d); err != nil {
		return nil, err
	}
	if err := parts.charges(ctx, tx, d); err != nil {
		return nil, err
	}
	if err := parts.rest(ctx, tx, d); err != nil {
		return nil, err
	}
	parts.chargeCurrencies(d)
	return d, nil
}

// monthParts reads the parts of a month's data (see monthData).
type monthParts struct {
	month    string
	from, to time.Time
	only     string
	in       []any
	and      func(string) string
}

// monthDataParallel reads the charges on one connection and the
// accounts, resources, policies and claims on another (about half the
// work each), each in a read
// transaction of its own. The two are one picture when both saw the same
// data revision (every audited write raises it); ok is false when they did
// not (a write came between their starts), and the caller reads again in
// one transaction.
func (st *Store) monthDataParallel(ctx context.Context, p *monthParts) (_ *desk.MonthData, ok bool, err error) {
	var a, b desk.MonthData
	var revA, revB int64
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() {
		revA, errA = st.inReadTx(ctx, func(q sqlitedb.Queryer) error { return p.charges(ctx, q, &a) })
	})
	wg.Go(func() {
		revB, errB = st.inReadTx(ctx, func(q sqlitedb.Queryer) error {
			if err := p.accounts(ctx, q, &b); err != nil {
				return err
			}
			return p.rest(ctx, q, &b)
		})
	})
	wg.Wait()
	if err := errors.Join(errA, errB); err != nil {
		return nil, false, err
	}
	if revA != revB {
		return nil, false, nil
	}
	a.Accounts, a.Resources, a.Policies, a.Claims = b.Accounts, b.Resources, b.Policies, b.Claims
	p.chargeCurrencies(&a)
	return &a, true, nil
}

// inReadTx runs fn in a read transaction (BEGIN DEFERRED, not the write
// lock that the pool's BeginTx takes) on a connection of its own, and
// returns the data revision it read at its start.
func (st *Store) inReadTx(ctx context.Context, fn func(sqlitedb.Queryer) error) (rev int64, err error) {
	conn, err := st.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return 0, err
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); err == nil {
			err = rerr
		}
	}()
	if err := conn.QueryRowContext(ctx, `SELECT n FROM data_revision WHERE id = 1`).Scan(&rev); err != nil {
		return 0, err
	}
	return rev, fn(conn)
}

// accounts reads every account (ID, name and currency only) into d.
func (p *monthParts) accounts(ctx context.Context, q sqlitedb.Queryer, d *desk.MonthData) error {
	// A run needs each account's ID and currency only; the rest stays out,
	// which halves the time of this read for 100,000 customers.
	accounts := `SELECT id, name, currency FROM customers ORDER BY id`
	if p.only != "" {
		accounts = `SELECT id, name, currency FROM customers WHERE ` + strings.Replace(p.only, "customer_id", "id", 1) + ` ORDER BY id`
	}
	if p.only == "" {
		if ok, err := packedAccounts(ctx, q, d); err != nil || ok {
			return err
		}
	}
	// Each list is made with room for its rows, counted first in the same
	// transaction: growing lists of 100,000s of entries by appending
	// copied them several times, which cost more than reading them.
	n, err := p.count(ctx, q, `customers`, ``)
	if err != nil {
		return err
	}
	d.Accounts = nil
	if n > 0 {
		d.Accounts = prefault.Slice(make([]desk.Account, 0, n))
	}
	rows, err := q.QueryContext(ctx, accounts, p.in...)
	if err != nil {
		return err
	}
	// The scan targets are declared once, outside the loops: taken inside,
	// each row's would be an allocation of its own.
	var id, name, currency string
	for rows.Next() {
		if err := rows.Scan(&id, &name, &currency); err != nil {
			rows.Close()
			return err
		}
		d.Accounts = append(d.Accounts, desk.Account{ID: id, Name: name, Currency: currency})
	}
	rows.Close()
	return rows.Err()
}

// charges reads the month's charges into d.
func (p *monthParts) charges(ctx context.Context, q sqlitedb.Queryer, d *desk.MonthData) error {
	if p.only == "" {
		if ok, err := p.packedCharges(ctx, q, d); err != nil || ok {
			return err
		}
	}
	n, err := p.count(ctx, q, `customer_charges`, `month = ?`, p.month)
	if err != nil {
		return err
	}
	d.Charges = nil
	if n > 0 {
		d.Charges = prefault.Slice(make([]desk.AccountCharge, 0, n))
	}
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, component_id, amount_minor FROM customer_charges WHERE `+p.and(`month = ?`)+
		` ORDER BY customer_id, component_id`, append(slices.Clone(p.in), p.month)...)
	if err != nil {
		return err
	}
	var chargeID, amount int64
	var customer, component string
	var names interned
	for rows.Next() {
		if err := rows.Scan(&chargeID, &customer, &component, &amount); err != nil {
			rows.Close()
			return err
		}
		d.Charges = append(d.Charges, desk.AccountCharge{ID: chargeID, Customer: names.customer(customer), Component: names.component(component),
			Month: p.month, AmountMinor: amount})
	}
	rows.Close()
	return rows.Err()
}

// rest reads the resource entries that overlap the month, every policy and
// the month's claims into d.
func (p *monthParts) rest(ctx context.Context, q sqlitedb.Queryer, d *desk.MonthData) error {
	overlaps := `(from_at IS NULL OR from_at < ?) AND (to_at IS NULL OR to_at > ?)`
	to, from := sqlitedb.FormatTime(p.to), sqlitedb.FormatTime(p.from)
	ok := false
	var err error
	if p.only == "" {
		if d.Resources, ok, err = packedResources(ctx, q, overlaps, to, from); err != nil {
			return err
		}
	}
	if !ok {
		n, err := p.count(ctx, q, `customer_resources`, overlaps, to, from)
		if err != nil {
			return err
		}
		if d.Resources, err = monthResources(ctx, q, n, `WHERE `+p.and(overlaps)+` ORDER BY id`, append(slices.Clone(p.in), to, from)...); err != nil {
			return err
		}
	}
	if d.Policies, err = listPolicies(ctx, q, ``); err != nil {
		return err
	}
	d.Claims, err = listClaims(ctx, q, `WHERE `+p.and(`month = ?`)+` ORDER BY customer_id, service_id`, append(slices.Clone(p.in), p.month)...)
	return err
}

// monthResources is listResources for a month's data: into a list with
// room for n entries, without an allocation per row, its customers' and
// components' names shared by the entries that repeat them.
func monthResources(ctx context.Context, q sqlitedb.Queryer, n int, where string, args ...any) ([]desk.AccountResource, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+resourceCols+` FROM customer_resources `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.AccountResource
	if n > 0 {
		out = prefault.Slice(make([]desk.AccountResource, 0, n))
	}
	var id, count int64
	var customer, component string
	var from, to sql.NullString
	var names interned
	for rows.Next() {
		if err := rows.Scan(&id, &customer, &component, &count, &from, &to); err != nil {
			return nil, err
		}
		r := desk.AccountResource{ID: id, Customer: names.customer(customer), Component: names.component(component), Count: count}
		if r.From, err = sqlitedb.ParseNullTime(from); err != nil {
			return nil, err
		}
		if r.To, err = sqlitedb.ParseNullTime(to); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// The whole desk's charges and resources are read packed: SQLite joins
// the month's charges of each customer, and the resource entries of each
// run of up to 4,096 IDs, into one text of space-separated fields, and Go
// splits it. 300,000 rows one by one through database/sql cost several
// times what SQLite's joining does. Every field is a number, an instant,
// "-" for no instant, or an ID of [a-z0-9-] (as customers and components
// are named); where a text does not split into exactly such fields (an ID
// with other characters, an instant in another form), or its entries are
// not in the order of the row-by-row read, the read returns ok false and
// is made again row by row, which reads anything stored.

// packedCharges reads the month's charges of every customer into d in
// the order of the row-by-row read (customer, then component): SQLite
// joins runs of up to packedRun of them, each "customer id component
// amount", into one text, each run after the last charge of the run
// before (by the index on month, customer and component, so without
// sorting); the charges' customers are parts of those texts.
func (p *monthParts) packedCharges(ctx context.Context, q sqlitedb.Queryer, d *desk.MonthData) (ok bool, err error) {
	var texts []string
	var counts []int
	n := 0
	customer, component := "", "" // the last charge read: every ID is longer
	for {
		var k int
		var packed sql.NullString
		err := q.QueryRowContext(ctx, `SELECT count(*), group_concat(customer_id || ' ' || id || ' ' || component_id || ' ' || amount_minor, ' ')
			FROM (SELECT customer_id, id, component_id, amount_minor FROM customer_charges
				WHERE month = ? AND (customer_id, component_id) > (?, ?) ORDER BY customer_id, component_id LIMIT ?)`,
			p.month, customer, component, packedRun).Scan(&k, &packed)
		if err != nil {
			return false, err
		}
		if k == 0 {
			break
		}
		// Where the next run starts: this run's last charge.
		last := lastFields(packed.String, 4)
		if len(last) != 4 || !(last[0] > customer || last[0] == customer && last[2] > component) {
			return false, nil
		}
		customer, component = last[0], last[2]
		texts, counts = append(texts, packed.String), append(counts, k)
		n += k
	}
	d.Charges = nil
	if n == 0 {
		return true, nil
	}
	d.Charges = prefault.Slice(make([]desk.AccountCharge, 0, n))
	var names interned
	customer, component = "", ""
	for t, text := range texts {
		f := fields{s: text}
		for range counts[t] {
			c := desk.AccountCharge{Customer: f.name(), ID: f.int()}
			c.Component, c.AmountMinor = f.name(), f.int()
			if f.bad || !(c.Customer > customer || c.Customer == customer && c.Component > component) {
				return false, nil
			}
			if c.Customer == customer {
				c.Customer = customer // one string for the customer's charges
			}
			customer, component = c.Customer, c.Component
			c.Component, c.Month = names.component(c.Component), p.month
			d.Charges = append(d.Charges, c)
		}
		if !f.done() || f.bad {
			return false, nil
		}
	}
	return true, nil
}

// packedRun is how many entries SQLite joins into one text at most.
const packedRun = 8192

// lastFields returns the last n space-separated fields of s, fewer if s
// has fewer.
func lastFields(s string, n int) []string {
	out := make([]string, n)
	for i := n - 1; i >= 0; i-- {
		at := strings.LastIndexByte(s, ' ')
		out[i] = s[at+1:]
		if at < 0 {
			return out[i:]
		}
		s = s[:at]
	}
	return out
}

// packedAccounts reads every account (ID, name and currency) into d in
// ID order: SQLite joins runs of up to packedRun of them into one text,
// its fields apart by the unit separator (a name may hold spaces, never
// a control character), and the accounts' fields are parts of those
// texts. A text with more fields than its accounts have (a name that
// holds the separator) returns ok false.
func packedAccounts(ctx context.Context, q sqlitedb.Queryer, d *desk.MonthData) (ok bool, err error) {
	const sep = "\x1f"
	var texts []string
	var counts []int
	n := 0
	id := "" // the last account read: every ID is longer
	for {
		var k int
		var last sql.NullString
		var packed sql.NullString
		err := q.QueryRowContext(ctx, `SELECT count(*), max(id), group_concat(id || char(31) || name || char(31) || currency, char(31))
			FROM (SELECT id, name, currency FROM customers WHERE id > ? ORDER BY id LIMIT ?)`, id, packedRun).Scan(&k, &last, &packed)
		if err != nil {
			return false, err
		}
		if k == 0 {
			break
		}
		if last.String <= id || strings.Count(packed.String, sep) != 3*k-1 {
			return false, nil
		}
		id = last.String
		texts, counts = append(texts, packed.String), append(counts, k)
		n += k
	}
	d.Accounts = nil
	if n == 0 {
		return true, nil
	}
	d.Accounts = prefault.Slice(make([]desk.Account, 0, n))
	id = ""
	for t, text := range texts {
		for range counts[t] {
			var a desk.Account
			a.ID, text, _ = strings.Cut(text, sep)
			a.Name, text, _ = strings.Cut(text, sep)
			a.Currency, text, _ = strings.Cut(text, sep)
			if a.ID <= id {
				return false, nil
			}
			id = a.ID
			d.Accounts = append(d.Accounts, a)
		}
	}
	return true, nil
}

// packedResources reads the resource entries that overlaps selects (with
// its arguments to and from) in the order of their IDs, into a list made
// to the size the runs counted; their customers are parts of the texts.
func packedResources(ctx context.Context, q sqlitedb.Queryer, overlaps, to, from string) (_ []desk.AccountResource, ok bool, err error) {
	type run struct {
		text string
		last int64 // the run's last ID
	}
	var runs []run
	n := 0
	var after int64 = -1 << 63 // the last ID read
	for {
		// A run of IDs after the last one read, in ID order: the scan of
		// the table's own order, with no sorting.
		var k int
		var last sql.NullInt64
		var packed sql.NullString
		err := q.QueryRowContext(ctx, `SELECT count(*), max(id), group_concat(id || ' ' || customer_id || ' ' || component_id || ' ' || count || ' ' ||
				ifnull(from_at, '-') || ' ' || ifnull(to_at, '-'), ' ')
			FROM (SELECT * FROM customer_resources WHERE id > ? AND `+overlaps+` ORDER BY id LIMIT ?)`, after, to, from, packedRun).Scan(&k, &last, &packed)
		if err != nil {
			return nil, false, err
		}
		if k == 0 {
			break
		}
		if last.Int64 <= after {
			return nil, false, nil
		}
		after = last.Int64
		runs = append(runs, run{packed.String, last.Int64})
		n += k
	}
	var out []desk.AccountResource
	if n > 0 {
		out = prefault.Slice(make([]desk.AccountResource, 0, n))
	}
	var names interned
	after = -1 << 63
	customer := ""
	for _, run := range runs {
		f := fields{s: run.text}
		for !f.done() {
			r := desk.AccountResource{ID: f.int()}
			r.Customer, r.Component = f.name(), f.name()
			r.Count = f.int()
			r.From, r.To = f.instant(), f.instant()
			if f.bad || r.ID <= after || len(out) == n {
				return nil, false, nil
			}
			after = r.ID
			if r.Customer == customer {
				r.Customer = customer // one string for the customer's consecutive entries
			}
			customer = r.Customer
			r.Component = names.component(r.Component)
			out = append(out, r)
		}
		if after != run.last {
			return nil, false, nil
		}
	}
	return out, len(out) == n, nil
}

// fields splits a packed text; bad is set at the first field that is not
// what was asked for.
type fields struct {
	s   string
	bad bool
}

func (f *fields) done() bool { return f.s == "" || f.bad }

func (f *fields) next() string {
	v, rest := f.s, ""
	if i := strings.IndexByte(f.s, ' '); i >= 0 {
		v, rest = f.s[:i], f.s[i+1:]
	}
	f.s = rest
	if v == "" {
		f.bad = true
	}
	return v
}

// int is a decimal integer as SQLite writes one.
func (f *fields) int() int64 {
	n, err := strconv.ParseInt(f.next(), 10, 64)
	if err != nil {
		f.bad = true
	}
	return n
}

// name is an ID of [a-z0-9-].
func (f *fields) name() string {
	v := f.next()
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			f.bad = true
		}
	}
	return v
}

// instant is "-" for none, or an instant as stored.
func (f *fields) instant() *time.Time {
	v := f.next()
	if v == "-" || f.bad {
		return nil
	}
	t, err := sqlitedb.ParseTime(v)
	if err != nil {
		f.bad = true
		return nil
	}
	return &t
}

// interned hands out one copy of each component name, and of a customer's
// ID for its consecutive rows, so that the 100,000s of rows of a month's
// data hold a few strings, not one per row.
type interned struct {
	last       string
	components map[string]string
}

func (n *interned) customer(id string) string {
	if id != n.last {
		n.last = strings.Clone(id) // not a part of a longer text
	}
	return n.last
}

func (n *interned) component(id string) string {
	if s, ok := n.components[id]; ok {
		return s
	}
	if n.components == nil {
		n.components = map[string]string{}
	}
	id = strings.Clone(id)
	n.components[id] = id
	return id
}

// count returns how many rows of table cond selects (every row for "")
// among the customers p reads; for a few customers it is their number,
// an upper bound of their accounts and a first guess for the rest.
func (p *monthParts) count(ctx context.Context, q sqlitedb.Queryer, table, cond string, args ...any) (int, error) {
	if p.only != "" {
		return len(p.in), nil
	}
	where := ""
	if cond != "" {
		where = ` WHERE ` + cond
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+where, args...).Scan(&n)
	return n, err
}

// chargeCurrencies gives each charge its account's currency (none for a
// charge without an account): the charges come in customer order, so
// desk.AccountIndex finds most without a lookup.
func (p *monthParts) chargeCurrencies(d *desk.MonthData) {
	x := desk.NewAccountIndex(d.Accounts)
	for i := range d.Charges {
		c := &d.Charges[i]
		c.Currency = ""
		if k, ok := x.Find(c.Customer); ok {
			c.Currency = d.Accounts[k].Currency
		}
	}
}
