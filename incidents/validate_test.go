package incidents

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// The ELB incident of 24 Dec 2012 began at 20:24 UTC.
var (
	start = time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	now   = time.Date(2012, 12, 25, 20, 5, 0, 0, time.UTC)
)

func at(d time.Duration) *time.Time { t := start.Add(d); return &t }
func pct(s string) *sla.Percent {
	p, err := sla.ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return &p
}

// wantErr checks that err is an errs.Error of code with the text "field: message".
func wantErr(t *testing.T, name string, err error, code errs.Code, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %q", name, want)
		return
	}
	if errs.CodeOf(err) != code || err.Error() != want {
		t.Errorf("%s: %v (%s), want %q (%s)", name, err, errs.CodeOf(err), want, code)
	}
}

func TestServiceValidate(t *testing.T) {
	ok := Service{ID: "ELB", Name: "Elastic Load Balancing"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(*Service)
		want string
	}{
		"empty id":   {func(s *Service) { s.ID = " " }, "id: must not be empty"},
		"bad id":     {func(s *Service) { s.ID = "E LB" }, `id: must be 1 to 40 letters, digits, "-" or "_"`},
		"long id":    {func(s *Service) { s.ID = strings.Repeat("a", 41) }, `id: must be 1 to 40 letters, digits, "-" or "_"`},
		"empty name": {func(s *Service) { s.Name = "" }, "name: must not be empty"},
		"long name":  {func(s *Service) { s.Name = strings.Repeat("é", 101) }, "name: is longer than 100 characters"},
		"bad utf8":   {func(s *Service) { s.Name = "a\xff" }, "name: is not valid UTF-8"},
		"long descr": {func(s *Service) { s.Description = strings.Repeat("x", 2001) }, "description: is longer than 2000 characters"},
		"max fine":   {func(s *Service) { s.ID = strings.Repeat("A", 40); s.Name = strings.Repeat("é", 100) }, ""},
		"underscore": {func(s *Service) { s.ID = "my_svc-2" }, ""},
	} {
		s := ok
		tc.edit(&s)
		err := s.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		wantErr(t, name, err, errs.Invalid, tc.want)
	}
}

func TestComponentValidate(t *testing.T) {
	ok := Component{ID: "elb-us-east-1", Service: "ELB", Name: "ELB", Region: "us-east-1"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(*Component)
		want string
	}{
		"empty id":       {func(c *Component) { c.ID = "" }, "id: must not be empty"},
		"upper id":       {func(c *Component) { c.ID = "ELB-us" }, `id: must be 1 to 64 lowercase letters, digits or "-"`},
		"underscore id":  {func(c *Component) { c.ID = "elb_us" }, `id: must be 1 to 64 lowercase letters, digits or "-"`},
		"long id":        {func(c *Component) { c.ID = strings.Repeat("a", 65) }, `id: must be 1 to 64 lowercase letters, digits or "-"`},
		"no service":     {func(c *Component) { c.Service = "" }, "service: must not be empty"},
		"no name":        {func(c *Component) { c.Name = " " }, "name: must not be empty"},
		"no region":      {func(c *Component) { c.Region = "" }, "region: must not be empty"},
		"long zone":      {func(c *Component) { c.Zone = strings.Repeat("z", 101) }, "zone: is longer than 100 characters"},
		"negative fleet": {func(c *Component) { c.Resources = -1 }, "resources: must not be negative"},
		"long group":     {func(c *Component) { c.Group = strings.Repeat("g", 101) }, "group: is longer than 100 characters"},
		"all optional":   {func(c *Component) { c.Zone, c.Group, c.Resources = "us-east-1a", "Control plane", 120000 }, ""},
	} {
		c := ok
		tc.edit(&c)
		err := c.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		wantErr(t, name, err, errs.Invalid, tc.want)
	}
}

func TestNewIncident(t *testing.T) {
	in := IncidentInput{
		Title:     "  Elevated API errors for ELB in US-East  ",
		Message:   "We are investigating.",
		StartedAt: at(0),
		Components: []ComponentChange{
			{Component: "elb-us-east-1", Status: DegradedPerformance, AffectedPercent: pct("6.8")},
			{Component: "elb-api", Status: MajorOutage},
			{Component: "ec2-us-east-1", Status: Operational},
		},
	}
	inc, err := NewIncident("ann", in, now.Add(123*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if inc.Title != "Elevated API errors for ELB in US-East" || inc.Phase != Investigating || inc.Impact != ImpactCritical ||
		!inc.StartedAt.Equal(start) || inc.ResolvedAt != nil || !inc.CreatedAt.Equal(now) || inc.CreatedAt.Nanosecond() != 0 || !inc.Active() {
		t.Fatalf("incident %+v", inc)
	}
	u := inc.Latest()
	if len(inc.Updates) != 1 || u.Author != "ann" || !u.At.Equal(start) || !u.CreatedAt.Equal(now) || u.Phase != Investigating || u.Message != "We are investigating." {
		t.Fatalf("update %+v", u)
	}
	want := []ComponentStatus{{Component: "elb-us-east-1", Status: DegradedPerformance, AffectedPercent: 68000}, {Component: "elb-api", Status: MajorOutage, AffectedPercent: sla.Hundred}, {Component: "ec2-us-east-1", Status: Operational, AffectedPercent: 0}}
	if !reflect.DeepEqual(u.Components, want) {
		t.Fatalf("components %+v", u.Components)
	}

	// Defaults: now for the start, impact from the worst status.
	inc, err = NewIncident("ann", IncidentInput{Title: "t", Message: "m", Components: []ComponentChange{{Component: "a", Status: PartialOutage}}}, now)
	if err != nil || !inc.StartedAt.Equal(now) || inc.Impact != ImpactMajor {
		t.Fatalf("defaults %+v %v", inc, err)
	}
	inc, err = NewIncident("ann", IncidentInput{Title: "t", Message: "m", NoComponents: true}, now)
	if err != nil || inc.Impact != ImpactNone || len(inc.Latest().Components) != 0 {
		t.Fatalf("no components %+v %v", inc, err)
	}
	// Without saying so, an incident must affect a component; saying so,
	// it may affect none.
	for name, tc := range map[string]struct {
		in   IncidentInput
		want string
	}{
		"none named":                     {IncidentInput{Title: "t", Message: "m"}, "components: set at least one component's status, or say that the incident affects none (no_components)"},
		"all operational":                {IncidentInput{Title: "t", Message: "m", Components: []ComponentChange{{Component: "a", Status: Operational}}}, "components: set at least one component's status, or say that the incident affects none (no_components)"},
		"flag and an affected component": {IncidentInput{Title: "t", Message: "m", NoComponents: true, Components: []ComponentChange{{Component: "a", Status: MajorOutage}}}, "no_components: is set, but components[0] (a) is major_outage: give one or the other"},
	} {
		_, err := NewIncident("ann", tc.in, now)
		wantErr(t, name, err, errs.Invalid, tc.want)
	}
	if _, err := NewIncident("ann", IncidentInput{Title: "t", Message: "m", Phase: Resolved, StartedAt: at(0)}, now); err != nil {
		t.Errorf("a resolved note without components: %v", err)
	}
	// An explicit impact wins; a start a few seconds ahead is clock skew.
	inc, err = NewIncident("ann", IncidentInput{Title: "t", Message: "m", NoComponents: true, Impact: ImpactMinor, StartedAt: ptr(now.Add(59 * time.Second))}, now)
	if err != nil || inc.Impact != ImpactMinor {
		t.Fatalf("explicit impact %+v %v", inc, err)
	}
	// A backfilled note may start resolved: it ends where it starts.
	inc, err = NewIncident("ann", IncidentInput{Title: "t", Message: "m", Phase: Resolved, StartedAt: at(0),
		Components: []ComponentChange{{Component: "a", Status: Operational}}}, now)
	if err != nil || inc.Active() || inc.ResolvedAt == nil || !inc.ResolvedAt.Equal(start) {
		t.Fatalf("resolved at start %+v %v", inc, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestNewIncidentInvalid(t *testing.T) {
	base := func() IncidentInput {
		return IncidentInput{Title: "t", Message: "m", StartedAt: at(0), Components: []ComponentChange{
			{Component: "a", Status: PartialOutage}, {Component: "b", Status: DegradedPerformance}, {Component: "c", Status: MajorOutage},
		}}
	}
	for name, tc := range map[string]struct {
		edit func(*IncidentInput)
		want string
	}{
		"empty title":   {func(in *IncidentInput) { in.Title = " \t" }, "title: must not be empty"},
		"long title":    {func(in *IncidentInput) { in.Title = strings.Repeat("x", 201) }, "title: is longer than 200 characters"},
		"bad impact":    {func(in *IncidentInput) { in.Impact = "huge" }, `impact: "huge" is not an impact`},
		"bad phase":     {func(in *IncidentInput) { in.Phase = "panicking" }, `phase: "panicking" is not a phase`},
		"empty message": {func(in *IncidentInput) { in.Message = "" }, "message: must not be empty"},
		"long message":  {func(in *IncidentInput) { in.Message = strings.Repeat("x", 20001) }, "message: is longer than 20000 characters"},
		"future start":  {func(in *IncidentInput) { in.StartedAt = ptr(now.Add(61 * time.Second)) }, "started_at: is in the future"},
		"zero start":    {func(in *IncidentInput) { in.StartedAt = &time.Time{} }, "started_at: must not be empty"},
		"no component":  {func(in *IncidentInput) { in.Components[1].Component = "" }, "components[1].component: must not be empty"},
		"no status":     {func(in *IncidentInput) { in.Components[0].Status = "" }, "components[0].status: must not be empty"},
		"bad status":    {func(in *IncidentInput) { in.Components[0].Status = "broken" }, `components[0].status: "broken" is not a status`},
		"above 100":     {func(in *IncidentInput) { in.Components[1].AffectedPercent = ptr(sla.Percent(1200000)) }, "components[1].affected_percent: 120 is above 100"},
		"below 0":       {func(in *IncidentInput) { in.Components[1].AffectedPercent = ptr(sla.Percent(-10000)) }, "components[1].affected_percent: -1 is below 0"},
		"operational pct": {func(in *IncidentInput) {
			in.Components[1] = ComponentChange{Component: "b", Status: Operational, AffectedPercent: pct("5")}
		}, "components[1].affected_percent: must be 0 for an operational component"},
		"twice": {func(in *IncidentInput) { in.Components[2].Component = " a" }, "components[2].component: appears twice"},
		"customer count below 0": {func(in *IncidentInput) {
			in.Components[0].Customers = []AffectedCustomer{{Customer: "acme"}, {Customer: "globex", AffectedResources: ptr(int64(-1))}}
		}, "components[0].customers[1].affected_resources: -1 is below 0"},
		"customer twice": {func(in *IncidentInput) {
			in.Components[1].Customers = []AffectedCustomer{{Customer: "acme"}, {Customer: " acme", AffectedResources: ptr(int64(2))}}
		}, `components[1].customers[1].customer: "acme" appears twice`},
		"customer empty": {func(in *IncidentInput) { in.Components[2].Customers = []AffectedCustomer{{Customer: " "}} }, "components[2].customers[0].customer: must not be empty"},
		"customers on operational": {func(in *IncidentInput) {
			in.Components[1] = ComponentChange{Component: "b", Status: Operational, Customers: []AffectedCustomer{{Customer: "acme"}}}
		}, "components[1].customers: must be empty for an operational component"},
		"resolved broken": {func(in *IncidentInput) { in.Phase = Resolved }, "components[0].status: must be operational in a resolving update, which returns every component to operational"},
	} {
		in := base()
		tc.edit(&in)
		_, err := NewIncident("ann", in, now)
		wantErr(t, name, err, errs.Invalid, tc.want)
	}
}

// elb is the 2012 story as updates: control plane first, then running load
// balancers, up to 6.8%, then recovery.
func elb(t *testing.T) Incident {
	t.Helper()
	inc, err := NewIncident("ann", IncidentInput{Title: "ELB in US-East", Message: "Investigating API errors.", StartedAt: at(0),
		Components: []ComponentChange{{Component: "elb-api", Status: PartialOutage}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	steps := []UpdateInput{
		{Phase: Identified, Message: "Running load balancers degraded.", At: at(2 * time.Hour),
			Components: []ComponentChange{{Component: "elb-us-east-1", Status: DegradedPerformance, AffectedPercent: pct("2.5")}}},
		{Message: "6.8% affected.", At: at(6 * time.Hour),
			Components: []ComponentChange{{Component: "elb-us-east-1", Status: PartialOutage, AffectedPercent: pct("6.8")}, {Component: "elb-api", Status: MajorOutage}}},
		{Phase: Monitoring, Message: "State restored.", At: at(14 * time.Hour),
			Components: []ComponentChange{{Component: "elb-api", Status: Operational}}},
		{Message: "Still monitoring.", At: at(15 * time.Hour)},
	}
	for _, in := range steps {
		if inc, err = inc.Apply("bob", in, now); err != nil {
			t.Fatal(err)
		}
	}
	return inc
}

func TestApply(t *testing.T) {
	inc := elb(t)
	if inc.Phase != Monitoring || len(inc.Updates) != 5 || !inc.Active() || inc.Updates[2].Phase != Identified {
		t.Fatalf("%+v", inc)
	}
	// Apply never changes the incident it is called on.
	before := len(inc.Updates)
	res, err := inc.Apply("bob", UpdateInput{Phase: Resolved, Message: "Resolved.", At: at(15*time.Hour + 41*time.Minute)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Updates) != before || inc.Phase != Monitoring {
		t.Fatal("Apply changed its receiver")
	}
	if res.Active() || res.ResolvedAt == nil || !res.ResolvedAt.Equal(start.Add(15*time.Hour+41*time.Minute)) || !res.UpdatedAt.Equal(now) {
		t.Fatalf("resolved %+v", res)
	}
	// Resolving returned the component still affected to operational.
	last := res.Latest()
	if len(last.Components) != 1 || !reflect.DeepEqual(last.Components[0], ComponentStatus{Component: "elb-us-east-1", Status: Operational, AffectedPercent: 0}) || last.Author != "bob" {
		t.Fatalf("resolving update %+v", last)
	}
	if len(res.ComponentStates()) != 0 {
		t.Fatal("resolved incident still affects components")
	}
	// A resolved incident takes no more updates.
	_, err = res.Apply("bob", UpdateInput{Message: "again"}, now)
	wantErr(t, "resolved", err, errs.Conflict, "incident 0 is resolved: it takes no more updates")

	// Skipping phases is allowed; the same phase too; the default is the current one.
	fresh, _ := NewIncident("ann", IncidentInput{Title: "t", Message: "m", StartedAt: at(0), NoComponents: true}, now)
	if r, err := fresh.Apply("bob", UpdateInput{Phase: Monitoring, Message: "m", At: at(0)}, now); err != nil || r.Phase != Monitoring {
		t.Fatalf("skip: %v", err)
	}
	if r, err := fresh.Apply("bob", UpdateInput{Message: "m"}, now); err != nil || r.Phase != Investigating || !r.Latest().At.Equal(now) {
		t.Fatalf("default: %v", err)
	}
	if r, err := fresh.Apply("bob", UpdateInput{Phase: Resolved, Message: "m", At: at(0)}, now); err != nil || !r.ResolvedAt.Equal(start) {
		t.Fatalf("resolve at start: %v", err)
	}
}

func TestApplyInvalid(t *testing.T) {
	inc := elb(t) // monitoring, last update at +15h
	for name, tc := range map[string]struct {
		in   UpdateInput
		want string
	}{
		"backwards":       {UpdateInput{Phase: Identified, Message: "m"}, "phase: cannot go back from monitoring to identified"},
		"bad phase":       {UpdateInput{Phase: "done", Message: "m"}, `phase: "done" is not a phase`},
		"empty message":   {UpdateInput{Message: "  "}, "message: must not be empty"},
		"long message":    {UpdateInput{Message: strings.Repeat("ü", 20001)}, "message: is longer than 20000 characters"},
		"before start":    {UpdateInput{Message: "m", At: at(-time.Minute)}, "at: is before the incident started (2012-12-24T20:24:00Z)"},
		"resolve early":   {UpdateInput{Phase: Resolved, Message: "m", At: at(-time.Hour)}, "at: is before the incident started (2012-12-24T20:24:00Z)"},
		"before previous": {UpdateInput{Message: "m", At: at(15*time.Hour - time.Second)}, "at: is before the previous update"},
		"future":          {UpdateInput{Message: "m", At: ptr(now.Add(61 * time.Second))}, "at: is in the future"},
		"zero at":         {UpdateInput{Message: "m", At: &time.Time{}}, "at: must not be empty"},
		"bad status": {UpdateInput{Message: "m", Components: []ComponentChange{{Component: "a", Status: Operational}, {Component: "b", Status: "broken"}}},
			`components[1].status: "broken" is not a status`},
		"twice": {UpdateInput{Message: "m", Components: []ComponentChange{{Component: "a", Status: Operational, AffectedPercent: nil}, {Component: "b", Status: Operational, AffectedPercent: nil}, {Component: "a", Status: MajorOutage, AffectedPercent: nil}}},
			"components[2].component: appears twice"},
		"pct": {UpdateInput{Message: "m", Components: []ComponentChange{{Component: "a", Status: MajorOutage, AffectedPercent: ptr(sla.Percent(1200000))}}},
			"components[0].affected_percent: 120 is above 100"},
		"resolve outage": {UpdateInput{Phase: Resolved, Message: "m", Components: []ComponentChange{{Component: "a", Status: Operational, AffectedPercent: nil}, {Component: "elb-us-east-1", Status: PartialOutage, AffectedPercent: nil}}},
			"components[1].status: must be operational in a resolving update, which returns every component to operational"},
	} {
		_, err := inc.Apply("bob", tc.in, now)
		wantErr(t, name, err, errs.Invalid, tc.want)
	}
	// Without At, a now read before the previous update was written (a
	// racing writer committed first) is stamped at the previous update.
	last := inc.Latest().At
	if r, err := inc.Apply("bob", UpdateInput{Message: "m"}, last.Add(-time.Minute)); err != nil || !r.Latest().At.Equal(last) {
		t.Errorf("no at, now before the previous update: %v %v", r.Latest().At, err)
	}
	// Clock skew: up to a minute ahead is fine, and so is the previous instant.
	for _, a := range []time.Time{now.Add(time.Minute), start.Add(15 * time.Hour)} {
		if _, err := inc.Apply("bob", UpdateInput{Message: "m", At: &a}, now); err != nil {
			t.Errorf("at %s: %v", a, err)
		}
	}
}

func TestNewMaintenance(t *testing.T) {
	base := func() MaintenanceInput {
		return MaintenanceInput{Title: " Network upgrade ", Message: "Brief blips.", Components: []string{"elb-us-east-1", "ec2-us-east-1"},
			StartsAt: now.Add(24 * time.Hour), EndsAt: now.Add(26 * time.Hour)}
	}
	m, err := NewMaintenance("ann", base(), now.Add(500*time.Millisecond))
	if err != nil || m.Title != "Network upgrade" || m.Phase != Scheduled || !m.AnnouncedAt.Equal(now) || m.Author != "ann" || len(m.Components) != 2 {
		t.Fatalf("%+v %v", m, err)
	}
	for name, tc := range map[string]struct {
		edit func(*MaintenanceInput)
		want string
	}{
		"empty title":     {func(in *MaintenanceInput) { in.Title = "" }, "title: must not be empty"},
		"long title":      {func(in *MaintenanceInput) { in.Title = strings.Repeat("x", 201) }, "title: is longer than 200 characters"},
		"long message":    {func(in *MaintenanceInput) { in.Message = strings.Repeat("x", 20001) }, "message: is longer than 20000 characters"},
		"no components":   {func(in *MaintenanceInput) { in.Components = nil }, "components: must name at least one component"},
		"empty component": {func(in *MaintenanceInput) { in.Components[1] = " " }, "components[1]: must not be empty"},
		"twice":           {func(in *MaintenanceInput) { in.Components = append(in.Components, "elb-us-east-1") }, "components[2]: appears twice"},
		"no start":        {func(in *MaintenanceInput) { in.StartsAt = time.Time{} }, "starts_at: must not be empty"},
		"no end":          {func(in *MaintenanceInput) { in.EndsAt = time.Time{} }, "ends_at: must not be empty"},
		"end before":      {func(in *MaintenanceInput) { in.EndsAt = in.StartsAt.Add(-time.Hour) }, "ends_at: must be after starts_at"},
		"empty window":    {func(in *MaintenanceInput) { in.EndsAt = in.StartsAt.Add(time.Millisecond) }, "ends_at: must be after starts_at"},
		"future announce": {func(in *MaintenanceInput) { in.AnnouncedAt = ptr(now.Add(2 * time.Minute)) }, "announced_at: is in the future"},
	} {
		in := base()
		tc.edit(&in)
		_, err := NewMaintenance("ann", in, now)
		wantErr(t, name, err, errs.Invalid, tc.want)
	}
}

func TestMaintenanceAdvance(t *testing.T) {
	m := Maintenance{ID: 7, StartsAt: now.Add(time.Hour), EndsAt: now.Add(3 * time.Hour), Phase: Scheduled, Components: []string{"a"}}
	_, err := m.Advance("paused", now)
	wantErr(t, "bad", err, errs.Invalid, `phase: "paused" is not a maintenance phase`)
	_, err = m.Advance(Scheduled, now)
	wantErr(t, "same", err, errs.Conflict, "maintenance 7 is already scheduled")
	// Started early by hand.
	started, err := m.Advance(InProgress, now)
	if err != nil || started.Phase != InProgress || m.Phase != Scheduled {
		t.Fatalf("%+v %v", started, err)
	}
	_, err = started.Advance(Scheduled, now)
	wantErr(t, "backwards", err, errs.Conflict, "maintenance 7 is already in progress")
	// By the clock it is already in progress, so only completing moves it.
	_, err = m.Advance(InProgress, now.Add(2*time.Hour))
	wantErr(t, "by time", err, errs.Conflict, "maintenance 7 is already in progress")
	done, err := m.Advance(Completed, now.Add(2*time.Hour))
	if err != nil || done.Phase != Completed {
		t.Fatalf("%+v %v", done, err)
	}
	_, err = m.Advance(Completed, now.Add(4*time.Hour))
	wantErr(t, "over", err, errs.Conflict, "maintenance 7 is already completed")
}

func TestInputJSON(t *testing.T) {
	var in IncidentInput
	err := json.Unmarshal([]byte(`{"title":"ELB","impact":"major","phase":"identified","message":"m","started_at":"2012-12-24T12:24:00-08:00",
		"excluded":true,"components":[{"component":"elb-us-east-1","status":"partial_outage","affected_percent":6.8},{"component":"elb-api","status":"major_outage"}]}`), &in)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := NewIncident("ann", in, now)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Impact != ImpactMajor || inc.Phase != Identified || !inc.Excluded || !inc.StartedAt.Equal(start) ||
		inc.Latest().Components[0].AffectedPercent != 68000 || inc.Latest().Components[1].AffectedPercent != sla.Hundred {
		t.Fatalf("%+v", inc)
	}
	b, err := json.Marshal(inc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"started_at":"2012-12-24T20:24:00Z"`, `"affected_percent":"6.8"`, `"phase":"identified"`, `"incident_id":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	// A bad percentage comes back through encoding/json as the domain error.
	var ch ComponentChange
	err = json.Unmarshal([]byte(`{"component":"x","status":"partial_outage","affected_percent":120}`), &ch)
	if errs.CodeOf(err) != errs.Invalid || errs.MessageOf(err) != "120 is above 100" {
		t.Errorf("json.Unmarshal: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"affected_percent":"12.5"}`), &ch); err != nil || *ch.AffectedPercent != 125000 {
		t.Errorf("json.Unmarshal pointer: %v", err)
	}
	var u UpdateInput
	if err := json.Unmarshal([]byte(`{"phase":"resolved","message":"ok","at":"2012-12-25T20:05:00Z","components":[]}`), &u); err != nil ||
		u.Phase != Resolved || !u.At.Equal(now) {
		t.Fatalf("%+v %v", u, err)
	}
	var m MaintenanceInput
	if err := json.Unmarshal([]byte(`{"title":"t","components":["a"],"starts_at":"2013-01-01T00:00:00Z","ends_at":"2013-01-01T02:00:00Z"}`), &m); err != nil ||
		m.EndsAt.Sub(m.StartsAt) != 2*time.Hour || m.AnnouncedAt != nil {
		t.Fatalf("%+v %v", m, err)
	}
}
