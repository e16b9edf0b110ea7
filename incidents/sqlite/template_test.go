package sqlite

import (
	"database/sql"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

func templateAudits(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT action || ' ' || entity_id || ' ' || (before_json IS NOT NULL) || (after_json IS NOT NULL)
		FROM audit_log WHERE entity = 'incident_template' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// A template is stored with its components in order, read back as
// written, edited in place, and deleted; each write has its audit entry,
// and an edit that changes nothing writes nothing.
func TestTemplateRoundTrip(t *testing.T) {
	st, db := newStore(t)
	by := audit.Person("ann")
	in := incidents.TemplateInput{
		Name: " Load balancers, one region ", Title: "Elevated errors on load balancers", Message: "We are looking into it.",
		Components: []incidents.TemplateChangeIn{
			{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: pct("6.8")},
			{Component: "elb-api", Status: incidents.DegradedPerformance},
		},
	}
	tp, err := st.CreateTemplate(ctx, by, in, now)
	if err != nil {
		t.Fatal(err)
	}
	if tp.ID == 0 || tp.Name != "Load balancers, one region" || tp.Impact != incidents.ImpactMajor {
		t.Errorf("created %+v: want an id, the name trimmed, impact major (the worst status's)", tp)
	}
	got, err := st.Template(ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tp) {
		t.Errorf("read back\n %+v\nwant\n %+v", got, tp)
	}
	if len(got.Components) != 2 || got.Components[0].AffectedPercent.String() != "6.8" || got.Components[1].AffectedPercent.String() != "100" {
		t.Errorf("components %+v", got.Components)
	}

	before := counts(t, db)
	if _, err := st.UpdateTemplate(ctx, by, tp.ID, tp.Input(), now.Add(1)); err != nil {
		t.Fatal(err)
	}
	if after := counts(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("an unchanged edit wrote: %v → %v", before, after)
	}

	in.Impact = incidents.ImpactCritical
	in.Components = in.Components[1:]
	in.Message = "Changed."
	later := now.Add(3600e9)
	ed, err := st.UpdateTemplate(ctx, by, tp.ID, in, later)
	if err != nil {
		t.Fatal(err)
	}
	if ed.Impact != incidents.ImpactCritical || len(ed.Components) != 1 || !ed.UpdatedAt.Equal(later) || !ed.CreatedAt.Equal(tp.CreatedAt) {
		t.Errorf("edited %+v", ed)
	}
	if got, _ := st.Template(ctx, tp.ID); !reflect.DeepEqual(got, ed) {
		t.Errorf("read back after edit %+v, want %+v", got, ed)
	}

	if _, err := st.DeleteTemplate(ctx, by, tp.ID, later); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Template(ctx, tp.ID); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("deleted template read: %v, want not found", err)
	}
	var left int
	db.QueryRowContext(ctx, `SELECT count(*) FROM incident_template_components`).Scan(&left)
	if left != 0 {
		t.Errorf("%d component rows left after delete", left)
	}
	id := strconv.FormatInt(tp.ID, 10)
	want := []string{"incident_template.create " + id + " 01", "incident_template.update " + id + " 11", "incident_template.delete " + id + " 10"}
	if a := templateAudits(t, db); !reflect.DeepEqual(a, want) {
		t.Errorf("audit %q, want %q", a, want)
	}
	if _, err := st.DeleteTemplate(ctx, by, tp.ID, later); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("second delete: %v, want not found", err)
	}
}

// Every bad template is an errs.Invalid naming its field, and nothing is
// written.
func TestTemplateBadInput(t *testing.T) {
	st, db := newStore(t)
	by := audit.Person("ann")
	good := func() incidents.TemplateInput {
		return incidents.TemplateInput{Name: "Taken", Title: "T", Message: "M",
			Components: []incidents.TemplateChangeIn{{Component: "elb-api", Status: incidents.MajorOutage}}}
	}
	taken, err := st.CreateTemplate(ctx, by, good(), now)
	if err != nil {
		t.Fatal(err)
	}
	other := good()
	other.Name = "Other"
	second, err := st.CreateTemplate(ctx, by, other, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*incidents.TemplateInput)
		field string
	}{
		{"no name", func(in *incidents.TemplateInput) { in.Name = " " }, "name"},
		{"name taken, other case", func(in *incidents.TemplateInput) { in.Name = "TAKEN" }, "name"},
		{"control character", func(in *incidents.TemplateInput) { in.Title = "a\x1bb" }, "title"},
		{"bidi override", func(in *incidents.TemplateInput) { in.Name = "x\u202ey" }, "name"},
		{"long title", func(in *incidents.TemplateInput) { in.Title = strings.Repeat("x", 201) }, "title"},
		{"no message", func(in *incidents.TemplateInput) { in.Message = "" }, "message"},
		{"bad impact", func(in *incidents.TemplateInput) { in.Impact = "huge" }, "impact"},
		{"unknown component", func(in *incidents.TemplateInput) { in.Components[0].Component = "nope" }, "components[0].component"},
		{"bad status", func(in *incidents.TemplateInput) { in.Components[0].Status = "down" }, "components[0].status"},
		{"operational", func(in *incidents.TemplateInput) { in.Components[0].Status = incidents.Operational }, "components[0].status"},
		{"percent above 100", func(in *incidents.TemplateInput) { p := sla.Percent(1_000_001); in.Components[0].AffectedPercent = &p }, "components[0].affected_percent"},
		{"twice", func(in *incidents.TemplateInput) { in.Components = append(in.Components, in.Components[0]) }, "components[1].component"},
		{"no components", func(in *incidents.TemplateInput) { in.Components = nil }, "components"},
		{"both", func(in *incidents.TemplateInput) { in.NoComponents = true }, "no_components"},
	} {
		in := good()
		in.Name = "Fresh"
		if tc.name == "name taken, other case" {
			in.Name = "x"
		}
		tc.edit(&in)
		before := counts(t, db)
		_, err := st.CreateTemplate(ctx, by, in, now)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: create: %v (field %q), want invalid on %q", tc.name, err, errs.FieldOf(err), tc.field)
		}
		_, err = st.UpdateTemplate(ctx, by, second.ID, in, now)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: update: %v (field %q), want invalid on %q", tc.name, err, errs.FieldOf(err), tc.field)
		}
		if after := counts(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: wrote %v → %v", tc.name, before, after)
		}
	}
	// A template keeps its own name through an edit.
	if _, err := st.UpdateTemplate(ctx, by, taken.ID, func() incidents.TemplateInput { in := good(); in.Title = "New"; return in }(), now); err != nil {
		t.Errorf("edit keeping the name: %v", err)
	}
	if _, err := st.UpdateTemplate(ctx, by, 9999, good(), now); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("edit of a missing template: %v", err)
	}
	list, err := st.Templates(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Other" || list[1].Name != "Taken" {
		t.Errorf("Templates: %v %+v, want Other then Taken", err, list)
	}
}
