package form

import (
	"reflect"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

func TestTimeAndRequiredTime(t *testing.T) {
	want := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	if got, err := Time("at", " 2012-12-24 20:24 "); err != nil || got == nil || !got.Equal(want) {
		t.Errorf("Time = %v, %v", got, err)
	}
	if got, err := Time("at", ""); got != nil || err != nil {
		t.Errorf("Time blank = %v, %v", got, err)
	}
	if got, err := RequiredTime("starts_at", "2012-12-24T20:24:00Z"); err != nil || !got.Equal(want) {
		t.Errorf("RequiredTime = %v, %v", got, err)
	}
	for raw, msg := range map[string]string{"": "is required", " ": "is required", "soon": `"soon" is not a time; write it as 2012-12-24 20:24 (UTC)`} {
		got, err := RequiredTime("starts_at", raw)
		if !got.IsZero() || errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "starts_at" || errs.MessageOf(err) != msg {
			t.Errorf("RequiredTime(%q) = %v, %v; want errs.Invalid on starts_at: %s", raw, got, err, msg)
		}
	}
}

func TestInt(t *testing.T) {
	if n, err := Int("position", " 12 "); n != 12 || err != nil {
		t.Errorf("Int = %d, %v", n, err)
	}
	if n, err := Int("position", ""); n != 0 || err != nil {
		t.Errorf("Int blank = %d, %v", n, err)
	}
	if _, err := Int("position", "1st"); errs.FieldOf(err) != "position" || errs.MessageOf(err) != `"1st" is not a whole number` {
		t.Errorf("Int(1st): %v", err)
	}
}

func TestErrorPutsTheMessageOnItsField(t *testing.T) {
	if got := Error(errs.Conflictf("already approved"), nil); !reflect.DeepEqual(got, templates.FormError{Summary: "already approved"}) {
		t.Errorf("no field: %+v", got)
	}
	err := errs.Invalidf("components[2]", "unknown component %q", "x")
	want := templates.FormError{Summary: `Please correct the field marked below: unknown component "x"`, Fields: map[string]string{"components[2]": `unknown component "x"`}}
	if got := Error(err, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("Error = %+v", got)
	}
	want.Fields = map[string]string{"components": `unknown component "x"`}
	if got := Error(err, func(string) string { return "components" }); !reflect.DeepEqual(got, want) {
		t.Errorf("renamed = %+v", got)
	}
	// A form that shows the message beside the field points to it.
	if got := ErrorOn(err, func(string) string { return "components" }, "amount", "components"); got.Summary != "Please correct the field marked below." || got.Fields["components"] == "" {
		t.Errorf("ErrorOn, shown = %+v", got)
	}
	if got := ErrorOn(err, nil, "amount"); got.Summary != want.Summary {
		t.Errorf("ErrorOn, not shown = %+v", got)
	}
}
