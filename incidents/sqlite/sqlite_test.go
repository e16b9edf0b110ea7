package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

var (
	ctx   = context.Background()
	start = time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	now   = time.Date(2013, 1, 2, 9, 0, 0, 0, time.UTC)
)

func at(d time.Duration) *time.Time { t := start.Add(d); return &t }

func pct(s string) *sla.Percent {
	p, err := sla.ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return &p
}

func openDB(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newStore returns a store on a fresh database file with the ELB and EC2
// services and a few components, and its clock set to now.
func newStore(t *testing.T) (*Store, *sql.DB) {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "amends.db"))
	st, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	st.Now = func() time.Time { return now }
	for _, s := range []incidents.Service{
		{ID: "ELB", Name: "Elastic Load Balancing", Position: 2},
		{ID: "EC2", Name: "Elastic Compute Cloud", Position: 1},
	} {
		if _, err := st.CreateService(ctx, audit.Person("seed"), s, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []incidents.Component{
		{ID: "elb-api", Service: "ELB", Name: "Control plane API", Region: "us-east-1", Group: "API", Position: 1},
		{ID: "elb-us-east-1", Service: "ELB", Name: "Load balancers", Region: "us-east-1", Resources: 120000, Position: 1},
		{ID: "ec2-us-east-1a", Service: "EC2", Name: "Instances", Region: "us-east-1", Zone: "us-east-1a", Position: 2},
		{ID: "ec2-us-east-1b", Service: "EC2", Name: "Instances", Region: "us-east-1", Zone: "us-east-1b", Position: 1},
	} {
		if _, err := st.CreateComponent(ctx, audit.Person("seed"), c, now); err != nil {
			t.Fatal(err)
		}
	}
	return st, db
}

// counts returns the number of rows in every table, and the data revision.
func counts(t *testing.T, db *sql.DB) map[string]int64 {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+tb+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	rev, err := sqlitedb.Revision(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	out["(revision)"] = rev
	return out
}

func TestMigrateAndReopen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "amends.db")
	db := openDB(t, file)
	if v, _ := sqlitedb.Version(ctx, db, MigrationSet); v != 0 {
		t.Fatalf("version %d before", v)
	}
	st, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := LatestMigration()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := sqlitedb.Version(ctx, db, MigrationSet); v != latest || latest < 6 {
		t.Fatalf("version %d, latest embedded %d", v, latest)
	}
	if _, err := st.CreateService(ctx, audit.Person("ann"), incidents.Service{ID: "ELB", Name: "ELB"}, now); err != nil {
		t.Fatal(err)
	}
	before := counts(t, db)
	if _, err := New(db); err != nil {
		t.Fatal("second New:", err)
	}
	if err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, db); !reflect.DeepEqual(got, before) {
		t.Fatalf("second New changed the database: %v, was %v", got, before)
	}
	db.Close()

	db2 := openDB(t, file)
	st2, err := New(db2)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(t, db2); !reflect.DeepEqual(got, before) {
		t.Fatalf("reopen changed the database: %v, was %v", got, before)
	}
	if s, err := st2.Service(ctx, "ELB"); err != nil || s.Name != "ELB" {
		t.Fatalf("after reopen: %+v %v", s, err)
	}
	var strict int
	if err := db2.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_list WHERE strict = 1 AND name IN
		('services', 'components', 'incidents', 'incident_updates', 'incident_update_components', 'maintenances', 'maintenance_components')`).Scan(&strict); err != nil || strict != 7 {
		t.Fatalf("strict tables: %d %v", strict, err)
	}
}

func TestCatalog(t *testing.T) {
	st, db := newStore(t)
	services, err := st.Services(ctx)
	if err != nil || len(services) != 2 || services[0].ID != "EC2" || services[1].ID != "ELB" {
		t.Fatalf("services %+v %v", services, err)
	}
	comps, err := st.Components(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range comps {
		ids = append(ids, c.ID)
	}
	// Service position, then group ("" first), position, ID.
	if want := []string{"ec2-us-east-1b", "ec2-us-east-1a", "elb-us-east-1", "elb-api"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
	c, err := st.Component(ctx, "ec2-us-east-1a")
	if want := (incidents.Component{ID: "ec2-us-east-1a", Service: "EC2", Name: "Instances", Region: "us-east-1", Zone: "us-east-1a", Position: 2}); err != nil || c != want {
		t.Fatalf("component %+v %v", c, err)
	}

	rev := counts(t, db)["(revision)"]
	s, err := st.UpdateService(ctx, audit.Person("ann"), incidents.Service{ID: "ELB", Name: " Load Balancing ", Description: "d", Position: 0}, now)
	if err != nil || s.Name != "Load Balancing" {
		t.Fatal(err)
	}
	if got, _ := st.Service(ctx, "ELB"); got != s {
		t.Fatalf("updated %+v", got)
	}
	c.Resources, c.Service, c.Group = 5000, "ELB", "Zones"
	if _, err := st.UpdateComponent(ctx, audit.Person("ann"), c, now); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Component(ctx, c.ID); got != c {
		t.Fatalf("updated %+v", got)
	}
	if got := counts(t, db)["(revision)"]; got != rev+2 {
		t.Fatalf("revision %d, want %d", got, rev+2)
	}
	var actor, action, before, after string
	if err := db.QueryRowContext(ctx, `SELECT actor, action, before_json, after_json FROM audit_log WHERE entity = 'component' ORDER BY id DESC LIMIT 1`).
		Scan(&actor, &action, &before, &after); err != nil || actor != "ann" || action != "component.update" ||
		!strings.Contains(before, `"service":"EC2"`) || !strings.Contains(after, `"service":"ELB"`) {
		t.Fatalf("audit %s %s %s %s %v", actor, action, before, after, err)
	}
	if _, err := st.Service(ctx, "S3"); errs.CodeOf(err) != errs.NotFound {
		t.Fatal(err)
	}
	if _, err := st.Component(ctx, "s3"); errs.CodeOf(err) != errs.NotFound {
		t.Fatal(err)
	}
}

func TestIncidentRoundTrip(t *testing.T) {
	st, db := newStore(t)
	rev := counts(t, db)["(revision)"]
	// Backfilled, with sub-second noise that storage drops.
	started := start.Add(400 * time.Millisecond).In(time.FixedZone("PST", -8*3600))
	inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{
		Title: "ELB service event in US-East", Message: "Investigating elevated API error rates.", StartedAt: &started,
		Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.DegradedPerformance}},
	}, now.Add(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if inc.ID == 0 || inc.Updates[0].ID == 0 || inc.Updates[0].IncidentID != inc.ID || !inc.StartedAt.Equal(start) || inc.Impact != incidents.ImpactMinor {
		t.Fatalf("created %+v", inc)
	}
	steps := []incidents.UpdateInput{
		{Phase: incidents.Identified, Message: "Running load balancers affected.", At: at(4*time.Hour + 36*time.Minute),
			Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: pct("6.8"),
				Customers: []incidents.AffectedCustomer{{Customer: "streamflix", AffectedResources: ptrInt(3)}, {Customer: "acme"}}}}},
		{Phase: incidents.Monitoring, Message: "State restored.", At: at(14*time.Hour + 21*time.Minute),
			Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.Operational}, {Component: "elb-us-east-1", Status: incidents.DegradedPerformance, AffectedPercent: pct("0.5")}}},
		{Phase: incidents.Resolved, Message: "Operating normally.", At: at(23*time.Hour + 41*time.Minute)},
	}
	for _, in := range steps {
		if inc, err = st.AddUpdate(ctx, audit.Person("bob"), inc.ID, in, now); err != nil {
			t.Fatal(err)
		}
	}
	if inc.Active() || !inc.ResolvedAt.Equal(start.Add(23*time.Hour+41*time.Minute)) || len(inc.Updates) != 4 {
		t.Fatalf("resolved %+v", inc)
	}
	got, err := st.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, inc) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(inc)
		t.Fatalf("read back\n%s\nwant\n%s", a, b)
	}
	last := got.Latest()
	if len(last.Components) != 1 || !reflect.DeepEqual(last.Components[0], incidents.ComponentStatus{Component: "elb-us-east-1", Status: incidents.Operational}) || last.Author != "bob" {
		t.Fatalf("resolving update %+v", last)
	}
	if sp := got.Timeline(); len(sp) != 3 || sp[1].AffectedPercent != 68000 || !sp[2].End.Equal(*got.ResolvedAt) ||
		!reflect.DeepEqual(sp[1].Customers, []incidents.AffectedCustomer{{Customer: "streamflix", AffectedResources: ptrInt(3)}, {Customer: "acme"}}) ||
		sp[2].Customers != nil {
		t.Fatalf("timeline %+v", sp)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM incident_update_component_customers`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("deleting a named customer: %v", err)
	}
	var stored string
	db.QueryRowContext(ctx, `SELECT started_at FROM incidents WHERE id = ?`, inc.ID).Scan(&stored)
	if stored != "2012-12-24T20:24:00Z" {
		t.Fatalf("stored %q", stored)
	}

	// One audit row per write, with actor and action; the revision moved as many times.
	rows, err := db.QueryContext(ctx, `SELECT actor, action, entity_id, before_json IS NULL FROM audit_log WHERE entity = 'incident' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for rows.Next() {
		var actor, action, id string
		var noBefore bool
		rows.Scan(&actor, &action, &id, &noBefore)
		log = append(log, strings.Join([]string{actor, action, id}, " "))
		if (action == "incident.create") != noBefore {
			t.Errorf("%s: before is null: %v", action, noBefore)
		}
	}
	rows.Close()
	want := []string{"ann incident.create 1", "bob incident.update 1", "bob incident.update 1", "bob incident.update 1"}
	if !reflect.DeepEqual(log, want) {
		t.Fatalf("audit %v", log)
	}
	if got := counts(t, db)["(revision)"]; got != rev+4 {
		t.Fatalf("revision %d, want %d", got, rev+4)
	}

	// Resolved: no more updates, and nothing written.
	before := counts(t, db)
	_, err = st.AddUpdate(ctx, audit.Person("bob"), inc.ID, incidents.UpdateInput{Message: "one more"}, now)
	if errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("update after resolution: %v", err)
	}
	if !reflect.DeepEqual(counts(t, db), before) {
		t.Fatal("refused update wrote something")
	}

	// Excluding is audited; excluding again writes nothing.
	ex, err := st.SetExcluded(ctx, audit.Person("carol"), inc.ID, true, now.Add(time.Hour))
	if err != nil || !ex.Excluded || !ex.UpdatedAt.Equal(now.Add(time.Hour)) || len(ex.Updates) != 4 {
		t.Fatalf("exclude %+v %v", ex, err)
	}
	if got, _ := st.Incident(ctx, inc.ID); !reflect.DeepEqual(got, ex) {
		t.Fatalf("excluded read back %+v", got)
	}
	before = counts(t, db)
	if _, err := st.SetExcluded(ctx, audit.Person("carol"), inc.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(counts(t, db), before) {
		t.Fatal("no-op exclude wrote something")
	}
	if _, err := st.SetExcluded(ctx, audit.Person("carol"), 999, true, now); errs.CodeOf(err) != errs.NotFound {
		t.Fatal(err)
	}
	if _, err := st.Incident(ctx, 999); errs.CodeOf(err) != errs.NotFound {
		t.Fatal(err)
	}
}

// Every bad write returns the right error and changes no table, not even
// the audit log or the revision.
func TestBadInputChangesNothing(t *testing.T) {
	st, db := newStore(t)
	active, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", StartedAt: at(0),
		Phase: incidents.Monitoring, Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.MajorOutage}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", StartedAt: at(0), Phase: incidents.Resolved}, now)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{Title: "t", Components: []string{"elb-api"},
		StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	good := []incidents.ComponentChange{{Component: "elb-api", Status: incidents.Operational}}
	for _, tc := range []struct {
		name  string
		write func() error
		code  errs.Code
		want  string
	}{
		{"service invalid", func() error {
			_, err := st.CreateService(ctx, audit.Person("ann"), incidents.Service{ID: "S 3", Name: "S3"}, now)
			return err
		}, errs.Invalid, `id: must be 1 to 40 letters, digits, "-" or "_"`},
		{"service duplicate", func() error {
			_, err := st.CreateService(ctx, audit.Person("ann"), incidents.Service{ID: "ELB", Name: "again"}, now)
			return err
		}, errs.Conflict, `service "ELB" already exists`},
		{"service update unknown", func() error {
			_, err := st.UpdateService(ctx, audit.Person("ann"), incidents.Service{ID: "S3", Name: "S3"}, now)
			return err
		}, errs.NotFound, `service "S3" not found`},
		{"service update invalid", func() error {
			_, err := st.UpdateService(ctx, audit.Person("ann"), incidents.Service{ID: "ELB"}, now)
			return err
		}, errs.Invalid, "name: must not be empty"},
		{"component unknown service", func() error {
			_, err := st.CreateComponent(ctx, audit.Person("ann"), incidents.Component{ID: "s3", Service: "S3", Name: "S3", Region: "us-east-1"}, now)
			return err
		}, errs.Invalid, `service: unknown service "S3"`},
		{"component duplicate", func() error {
			_, err := st.CreateComponent(ctx, audit.Person("ann"), incidents.Component{ID: "elb-api", Service: "ELB", Name: "x", Region: "us-east-1"}, now)
			return err
		}, errs.Conflict, `component "elb-api" already exists`},
		{"component negative", func() error {
			_, err := st.CreateComponent(ctx, audit.Person("ann"), incidents.Component{ID: "x", Service: "ELB", Name: "x", Region: "r", Resources: -5}, now)
			return err
		}, errs.Invalid, "resources: must not be negative"},
		{"component update unknown", func() error {
			_, err := st.UpdateComponent(ctx, audit.Person("ann"), incidents.Component{ID: "nope", Service: "ELB", Name: "x", Region: "r"}, now)
			return err
		}, errs.NotFound, `component "nope" not found`},
		{"component update unknown service", func() error {
			_, err := st.UpdateComponent(ctx, audit.Person("ann"), incidents.Component{ID: "elb-api", Service: "S3", Name: "x", Region: "r"}, now)
			return err
		}, errs.Invalid, `service: unknown service "S3"`},
		{"incident empty title", func() error {
			_, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Message: "m", Components: good}, now)
			return err
		}, errs.Invalid, "title: must not be empty"},
		{"incident unknown component", func() error {
			_, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", Components: []incidents.ComponentChange{
				{Component: "elb-api", Status: incidents.MajorOutage}, {Component: "s3", Status: incidents.MajorOutage}}}, now)
			return err
		}, errs.Invalid, `components[1].component: unknown component "s3"`},
		{"incident percent", func() error {
			_, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", Components: []incidents.ComponentChange{
				{Component: "elb-api", Status: incidents.PartialOutage, AffectedPercent: (*sla.Percent)(ptr(int64(1200000)))}}}, now)
			return err
		}, errs.Invalid, "components[0].affected_percent: 120 is above 100"},
		{"incident long message", func() error {
			_, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: strings.Repeat("x", 20001)}, now)
			return err
		}, errs.Invalid, "message: is longer than 20000 characters"},
		{"update phase back", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), active.ID, incidents.UpdateInput{Phase: incidents.Identified, Message: "m"}, now)
			return err
		}, errs.Invalid, "phase: cannot go back from monitoring to identified"},
		{"update before start", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), active.ID, incidents.UpdateInput{Message: "m", At: at(-time.Minute)}, now)
			return err
		}, errs.Invalid, "at: is before the incident started (2012-12-24T20:24:00Z)"},
		{"resolution before start", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), active.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "m", At: at(-time.Hour)}, now)
			return err
		}, errs.Invalid, "at: is before the incident started (2012-12-24T20:24:00Z)"},
		{"update future", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), active.ID, incidents.UpdateInput{Message: "m", At: ptr(now.Add(time.Hour))}, now)
			return err
		}, errs.Invalid, "at: is in the future"},
		{"update unknown component", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), active.ID, incidents.UpdateInput{Message: "m", Components: []incidents.ComponentChange{
				{Component: "elb-api", Status: incidents.Operational}, {Component: "x", Status: incidents.Operational}}}, now)
			return err
		}, errs.Invalid, `components[1].component: unknown component "x"`},
		{"update resolving with outage", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), active.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "m", Components: []incidents.ComponentChange{
				{Component: "elb-api", Status: incidents.PartialOutage}}}, now)
			return err
		}, errs.Invalid, "components[0].status: must be operational in a resolving update, which returns every component to operational"},
		{"update resolved", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), resolved.ID, incidents.UpdateInput{Message: "m"}, now)
			return err
		}, errs.Conflict, "incident 2 is resolved: it takes no more updates"},
		{"update missing", func() error {
			_, err := st.AddUpdate(ctx, audit.Person("bob"), 404, incidents.UpdateInput{Message: "m"}, now)
			return err
		}, errs.NotFound, "incident 404 not found"},
		{"maintenance unknown component", func() error {
			_, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{Title: "t", Components: []string{"elb-api", "x"},
				StartsAt: now, EndsAt: now.Add(time.Hour)}, now)
			return err
		}, errs.Invalid, `components[1]: unknown component "x"`},
		{"maintenance window", func() error {
			_, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{Title: "t", Components: []string{"elb-api"},
				StartsAt: now, EndsAt: now}, now)
			return err
		}, errs.Invalid, "ends_at: must be after starts_at"},
		{"maintenance back", func() error {
			_, err := st.AdvanceMaintenance(ctx, audit.Person("ann"), m.ID, incidents.Scheduled, now)
			return err
		}, errs.Conflict, "maintenance 1 is already scheduled"},
		{"maintenance bad phase", func() error {
			_, err := st.AdvanceMaintenance(ctx, audit.Person("ann"), m.ID, "later", now)
			return err
		}, errs.Invalid, `phase: "later" is not a maintenance phase`},
		{"maintenance missing", func() error {
			_, err := st.AdvanceMaintenance(ctx, audit.Person("ann"), 404, incidents.Completed, now)
			return err
		}, errs.NotFound, "maintenance 404 not found"},
		{"paging", func() error {
			_, _, err := st.ResolvedIncidents(ctx, -1, 10)
			return err
		}, errs.Invalid, "offset: must not be negative"},
		{"paging limit", func() error {
			_, _, err := st.PastMaintenances(ctx, 0, 0)
			return err
		}, errs.Invalid, "limit: must be at least 1"},
	} {
		before := counts(t, db)
		err := tc.write()
		if errs.CodeOf(err) != tc.code || err.Error() != tc.want {
			t.Errorf("%s: %v (%s), want %q (%s)", tc.name, err, errs.CodeOf(err), tc.want, tc.code)
		}
		if after := counts(t, db); !reflect.DeepEqual(after, before) {
			t.Errorf("%s changed the database: %v, was %v", tc.name, after, before)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestAppendOnlyTriggers(t *testing.T) {
	st, db := newStore(t)
	inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", StartedAt: at(0), Phase: incidents.Monitoring,
		Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.MajorOutage}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{Title: "t", Components: []string{"elb-api"},
		StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AdvanceMaintenance(ctx, audit.Person("ann"), m.ID, incidents.InProgress, now); err != nil {
		t.Fatal(err)
	}
	before := counts(t, db)
	for _, tc := range []struct{ q, want string }{
		{`UPDATE incident_updates SET message = 'rewritten'`, "append-only"},
		{`DELETE FROM incident_updates`, "append-only"},
		{`UPDATE incident_update_components SET affected_percent = 1`, "append-only"},
		{`DELETE FROM incident_update_components`, "append-only"},
		{`DELETE FROM incidents`, "never deleted"},
		{`UPDATE incidents SET phase = 'identified'`, "never goes back"},
		{`UPDATE incidents SET phase = 'resolved'`, "CHECK constraint failed"},
		{`UPDATE incidents SET impact = 'huge'`, "CHECK constraint failed"},
		{`DELETE FROM maintenances`, "never deleted"},
		{`DELETE FROM maintenance_components`, "append-only"},
		{`UPDATE maintenances SET phase = 'scheduled'`, "only moves forward"},
		{`DELETE FROM components WHERE id = 'ec2-us-east-1a'`, "never deleted"},
		{`DELETE FROM services WHERE id = 'EC2'`, "never deleted"},
		{`INSERT INTO incident_update_components (update_id, position, component_id, status, affected_percent) VALUES (1, 5, 'ec2-us-east-1a', 'major_outage', 1000001)`, "CHECK constraint failed"},
		{`INSERT INTO incident_update_components (update_id, position, component_id, status, affected_percent) VALUES (1, 5, 'nope', 'major_outage', 0)`, "FOREIGN KEY constraint failed"},
		{`INSERT INTO incident_updates (incident_id, phase, message, at, created_at, author) VALUES (99, 'monitoring', 'm', 'x', 'x', 'x')`, "FOREIGN KEY constraint failed"},
	} {
		if _, err := db.ExecContext(ctx, tc.q); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.q, err, tc.want)
		}
	}
	if !reflect.DeepEqual(counts(t, db), before) {
		t.Fatal("refused statements changed something")
	}
	// Forward moves remain possible.
	if _, err := db.ExecContext(ctx, `UPDATE incidents SET phase = 'resolved', resolved_at = started_at WHERE id = ?`, inc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE incidents SET resolved_at = NULL, phase = 'monitoring' WHERE id = ?`, inc.ID); err == nil {
		t.Fatal("un-resolving allowed")
	}
}

func TestIncidentLists(t *testing.T) {
	st, _ := newStore(t)
	day := 24 * time.Hour
	// Seven resolved incidents a day apart, and two active ones.
	var resolved []int64
	for i := range 7 {
		inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "r", Message: "m", StartedAt: at(time.Duration(i) * day),
			Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.PartialOutage, AffectedPercent: pct("12.5")}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddUpdate(ctx, audit.Person("bob"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "ok", At: at(time.Duration(i)*day + time.Hour)}, now); err != nil {
			t.Fatal(err)
		}
		resolved = append(resolved, inc.ID)
	}
	a1, _ := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "a1", Message: "m", StartedAt: at(3*day + 30*time.Minute), NoComponents: true}, now)
	a2, _ := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "a2", Message: "m", StartedAt: at(5 * day),
		Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.MajorOutage}}}, now)

	active, err := st.ActiveIncidents(ctx)
	if err != nil || len(active) != 2 || active[0].ID != a2.ID || active[1].ID != a1.ID || len(active[0].Updates) != 1 ||
		len(active[0].Updates[0].Components) != 1 {
		t.Fatalf("active %+v %v", active, err)
	}

	var seen []int64
	for offset := 0; ; offset += 3 {
		page, total, err := st.ResolvedIncidents(ctx, offset, 3)
		if err != nil || total != 7 {
			t.Fatalf("page at %d: total %d %v", offset, total, err)
		}
		if len(page) == 0 {
			break
		}
		for _, inc := range page {
			if len(inc.Updates) != 2 || inc.Updates[0].Components[0].AffectedPercent != 125000 || inc.Active() {
				t.Fatalf("incident %+v", inc)
			}
			seen = append(seen, inc.ID)
		}
	}
	want := []int64{7, 6, 5, 4, 3, 2, 1}
	for i := range want {
		want[i] = resolved[want[i]-1]
	}
	if !reflect.DeepEqual(seen, want) {
		t.Fatalf("pages %v, want %v", seen, want)
	}

	// [day 3, day 5): incidents 3 (resolved in the hour) and 4, and a1 (still open).
	between, err := st.IncidentsBetween(ctx, start.Add(3*day), start.Add(5*day))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, inc := range between {
		titles = append(titles, inc.Title+":"+strings.Repeat("*", len(inc.Updates)))
	}
	if want := []string{"r:**", "a1:*", "r:**"}; !reflect.DeepEqual(titles, want) {
		t.Fatalf("between %v", titles)
	}
	// A window that ends where an incident starts, or starts where one
	// ends, does not overlap it.
	between, _ = st.IncidentsBetween(ctx, start.Add(time.Hour), start.Add(day))
	if len(between) != 0 {
		t.Fatalf("edges: %d", len(between))
	}
	// An open incident overlaps windows up to now (the store's clock), not after.
	st.Now = func() time.Time { return start.Add(4 * day) }
	between, _ = st.IncidentsBetween(ctx, start.Add(4*day+time.Hour), start.Add(4*day+2*time.Hour))
	if len(between) != 0 {
		t.Fatalf("after now: %+v", between)
	}
}

func TestMaintenanceStore(t *testing.T) {
	st, db := newStore(t)
	mk := func(title string, from, to time.Duration) incidents.Maintenance {
		m, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{Title: title, Message: "Brief blips.",
			Components: []string{"elb-us-east-1", "ec2-us-east-1a"}, StartsAt: now.Add(from), EndsAt: now.Add(to),
			AnnouncedAt: ptr(now.Add(-time.Hour))}, now)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	later := mk("later", 48*time.Hour, 50*time.Hour)
	soon := mk("soon", time.Hour, 3*time.Hour)
	past := mk("past", -72*time.Hour, -70*time.Hour)
	got, err := st.Maintenance(ctx, soon.ID)
	if err != nil || !reflect.DeepEqual(got, soon) || !got.AnnouncedAt.Equal(now.Add(-time.Hour)) || got.Components[1] != "ec2-us-east-1a" {
		t.Fatalf("read back %+v %v", got, err)
	}
	list, err := st.Maintenances(ctx, now)
	if err != nil || len(list) != 2 || list[0].ID != soon.ID || list[1].ID != later.ID || len(list[1].Components) != 2 {
		t.Fatalf("upcoming %+v %v", list, err)
	}
	rev := counts(t, db)["(revision)"]
	// Start it early, then complete it early.
	adv, err := st.AdvanceMaintenance(ctx, audit.Person("bob"), soon.ID, incidents.InProgress, now)
	if err != nil || adv.Phase != incidents.InProgress || adv.PhaseAt(now) != incidents.InProgress {
		t.Fatalf("advance %+v %v", adv, err)
	}
	statuses := incidents.CurrentStatuses([]incidents.Component{{ID: "elb-us-east-1"}, {ID: "elb-api"}}, nil, []incidents.Maintenance{adv}, now)
	if statuses["elb-us-east-1"] != incidents.UnderMaintenance || statuses["elb-api"] != incidents.Operational {
		t.Fatalf("statuses %v", statuses)
	}
	if _, err := st.AdvanceMaintenance(ctx, audit.Person("bob"), soon.ID, incidents.Completed, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, db)["(revision)"]; got != rev+2 {
		t.Fatalf("revision %d", got)
	}
	var actor, action string
	db.QueryRowContext(ctx, `SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&actor, &action)
	if actor != "bob" || action != "maintenance.advance" {
		t.Fatalf("audit %s %s", actor, action)
	}
	list, _ = st.Maintenances(ctx, now)
	if len(list) != 1 || list[0].ID != later.ID {
		t.Fatalf("upcoming after completion %+v", list)
	}
	pastList, total, err := st.PastMaintenances(ctx, 0, 10)
	if err != nil || total != 2 || len(pastList) != 2 || pastList[0].ID != soon.ID || pastList[1].ID != past.ID {
		t.Fatalf("past %+v %d %v", pastList, total, err)
	}
	pastList, total, _ = st.PastMaintenances(ctx, 1, 10)
	if total != 2 || len(pastList) != 1 || pastList[0].ID != past.ID {
		t.Fatalf("past page 2 %+v", pastList)
	}
	if _, err := st.Maintenance(ctx, 404); errs.CodeOf(err) != errs.NotFound {
		t.Fatal(err)
	}
}

func ptrInt(n int64) *int64 { return &n }

// IncidentsBetween reads each way of overlapping a range through its own
// index; whatever the history, it returns what a filter of every incident
// returns.
func TestIncidentsBetweenMatchesAFilter(t *testing.T) {
	st, _ := newStore(t)
	rnd := rand.New(rand.NewPCG(3, 5))
	day := incidents.Day
	for i := 0; i < 60; i++ {
		started := start.Add(time.Duration(rnd.Int64N(int64(30*day))) - 15*day).Truncate(time.Second)
		if started.After(now) {
			started = now.Add(-time.Hour)
		}
		inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: fmt.Sprint(i), Message: "m", StartedAt: &started,
			Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.MajorOutage}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			continue // still active
		}
		end := started.Add(time.Duration(rnd.Int64N(int64(3 * day))))
		if i%7 == 0 {
			end = started // resolved where it started
		}
		if end.After(now) {
			end = now
		}
		if _, err := st.AddUpdate(ctx, audit.Person("ann"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "m", At: &end}, now); err != nil {
			t.Fatal(err)
		}
	}
	active, err := st.ActiveIncidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resolved, _, err := st.ResolvedIncidents(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	all := append(active, resolved...)
	for k := 0; k < 200; k++ {
		from := start.Add(time.Duration(rnd.Int64N(int64(34*day))) - 17*day).Truncate(time.Second)
		to := from.Add(time.Duration(1 + rnd.Int64N(int64(4*day))))
		var want []int64
		for _, inc := range all {
			end := now
			if inc.ResolvedAt != nil {
				end = *inc.ResolvedAt
			}
			if inc.StartedAt.Before(to) && (end.After(from) || !inc.StartedAt.Before(from)) {
				want = append(want, inc.ID)
			}
		}
		got, err := st.IncidentsBetween(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, inc := range got {
			ids = append(ids, inc.ID)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("[%s, %s): %v, want %v", from, to, ids, want)
		}
	}
}

// EarliestResolvedStart is the start of the resolved incident that
// started first; an older active one does not count.
func TestEarliestResolvedStart(t *testing.T) {
	st, _ := newStore(t)
	if _, ok, err := st.EarliestResolvedStart(ctx); ok || err != nil {
		t.Fatalf("no incidents: %v %v", ok, err)
	}
	declare := func(started time.Time) incidents.Incident {
		inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", StartedAt: &started,
			Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.MajorOutage}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	declare(start.Add(-48 * time.Hour)) // active
	for _, d := range []time.Duration{5 * time.Hour, -3 * time.Hour, 2 * time.Hour} {
		inc := declare(start.Add(d))
		if _, err := st.AddUpdate(ctx, audit.Person("ann"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "m", At: at(d + time.Hour)}, now); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := st.EarliestResolvedStart(ctx); !ok || err != nil || !got.Equal(start.Add(-3*time.Hour)) {
		t.Fatalf("%s %v %v", got, ok, err)
	}
}

// TestErrorsSayWhere: a failed query names the method and its key and stays
// Internal; a domain error comes back as it is.
func TestErrorsSayWhere(t *testing.T) {
	st, db := newStore(t)
	if _, err := st.Incident(ctx, 999); errs.CodeOf(err) != errs.NotFound || err.Error() != "incident 999 not found" {
		t.Errorf("not found: %v", err)
	}
	if _, err := st.CreateService(ctx, audit.Person("ops"), incidents.Service{ID: "ELB", Name: "Again"}, now); errs.CodeOf(err) != errs.Conflict ||
		err.Error() != `service "ELB" already exists` {
		t.Errorf("conflict: %v", err)
	}
	db.Close()
	for _, tc := range []struct {
		call func() error
		want string
	}{
		{func() error { _, err := st.Incident(ctx, 7); return err }, "incidents/sqlite: Incident 7: "},
		{func() error { _, err := st.Service(ctx, "ELB"); return err }, `incidents/sqlite: Service "ELB": `},
		{func() error { _, err := st.Components(ctx); return err }, "incidents/sqlite: Components: "},
		{func() error {
			_, err := st.CreateService(ctx, audit.Person("ops"), incidents.Service{ID: "RDS", Name: "Relational Database Service"}, now)
			return err
		}, `incidents/sqlite: CreateService "RDS": `},
		{func() error { _, _, err := st.ResolvedIncidents(ctx, 0, 10); return err }, "incidents/sqlite: ResolvedIncidents offset 0 limit 10: "},
		{func() error { _, err := st.DailyUptime(ctx, start, start.Add(incidents.Day)); return err },
			"incidents/sqlite: DailyUptime 2012-12-24 20:24:00 +0000 UTC to 2012-12-25 20:24:00 +0000 UTC: "},
	} {
		err := tc.call()
		if errs.CodeOf(err) != errs.Internal || !strings.HasPrefix(fmt.Sprint(err), tc.want) || !strings.Contains(fmt.Sprint(err), "database is closed") {
			t.Errorf("%v, want %q…", err, tc.want)
		}
	}
}

// TestLatestResolved: the most recently resolved first (not the latest
// started), none resolved after the instant asked for, no active or
// deleted incident, and a limit below 1 refused.
func TestLatestResolved(t *testing.T) {
	st, _ := newStore(t)
	if list, err := st.LatestResolved(ctx, now, 3); len(list) != 0 || err != nil {
		t.Fatalf("no incidents: %v %v", list, err)
	}
	if _, err := st.LatestResolved(ctx, now, 0); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "limit" {
		t.Fatalf("limit 0: %v", err)
	}
	declare := func(title string, started time.Duration, lasted time.Duration) incidents.Incident {
		inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: title, Message: "m", StartedAt: at(started),
			Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.MajorOutage}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		if lasted > 0 {
			if inc, err = st.AddUpdate(ctx, audit.Person("ann"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "m", At: at(started + lasted)}, now); err != nil {
				t.Fatal(err)
			}
		}
		return inc
	}
	h := time.Hour
	long := declare("long", 0, 50*h)  // started first, resolved last
	a := declare("a", 1*h, 2*h)       // resolved at 3 h
	b := declare("b", 2*h, 3*h)       // resolved at 5 h
	c := declare("c", 3*h, 5*h)       // resolved at 8 h
	gone := declare("gone", 4*h, 6*h) // resolved at 10 h, deleted
	declare("active", 5*h, 0)         // never resolved
	if _, err := st.DeleteIncident(ctx, audit.Person("ann"), gone.ID, now); err != nil {
		t.Fatal(err)
	}
	ids := func(list []incidents.Incident) []int64 {
		var out []int64
		for _, inc := range list {
			out = append(out, inc.ID)
		}
		return out
	}
	got, err := st.LatestResolved(ctx, now, 3)
	if err != nil || !reflect.DeepEqual(ids(got), []int64{long.ID, c.ID, b.ID}) {
		t.Fatalf("latest 3: %v %v", ids(got), err)
	}
	if got[0].ResolvedAt == nil || !got[0].ResolvedAt.Equal(start.Add(50*h)) || got[0].Title != "long" {
		t.Fatalf("head %+v", got[0])
	}
	// As of 5 h after start: "long" and "c" were not resolved yet.
	got, err = st.LatestResolved(ctx, start.Add(5*h), 3)
	if err != nil || !reflect.DeepEqual(ids(got), []int64{b.ID, a.ID}) {
		t.Fatalf("as of 5 h: %v %v", ids(got), err)
	}
}

// TestFirstRecorded: the earliest start of an incident (deleted ones left
// out) or a maintenance.
func TestFirstRecorded(t *testing.T) {
	st, _ := newStore(t)
	if _, ok, err := st.FirstRecorded(ctx); ok || err != nil {
		t.Fatalf("nothing stored: %v %v", ok, err)
	}
	inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", StartedAt: at(-48 * time.Hour), NoComponents: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "t", Message: "m", StartedAt: at(0), NoComponents: true}, now); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.FirstRecorded(ctx); !ok || err != nil || !got.Equal(start.Add(-48*time.Hour)) {
		t.Fatalf("first incident: %s %v %v", got, ok, err)
	}
	if _, err := st.DeleteIncident(ctx, audit.Person("ann"), inc.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.FirstRecorded(ctx); !ok || err != nil || !got.Equal(start) {
		t.Fatalf("after deleting the first: %s %v %v", got, ok, err)
	}
	m, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{Title: "m", Message: "x",
		Components: []string{"elb-us-east-1"}, StartsAt: start.Add(-time.Hour), EndsAt: start, AnnouncedAt: ptr(start.Add(-2 * time.Hour))}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := st.FirstRecorded(ctx); !ok || err != nil || !got.Equal(m.StartsAt) {
		t.Fatalf("a maintenance first: %s %v %v", got, ok, err)
	}
}
