package errs

import (
	"fmt"
	"testing"
)

func TestPrefixAndCode(t *testing.T) {
	err := Invalidf("affected_percent", "120 is above 100")
	got := Prefix("impacts[0]", err)
	if got.Error() != "impacts[0].affected_percent: 120 is above 100" {
		t.Fatalf("got %q", got)
	}
	if got := Prefix("incidents[2]", Prefix("impacts[0]", err)); got.Error() != "incidents[2].impacts[0].affected_percent: 120 is above 100" {
		t.Fatalf("nested prefix: got %q", got)
	}
	if got := Prefix("impacts", Invalidf("[3]", "unknown")); FieldOf(got) != "impacts[3]" {
		t.Fatalf("index prefix: got %q", FieldOf(got))
	}
	wrapped := fmt.Errorf("storing: %w", got)
	if CodeOf(wrapped) != Invalid || FieldOf(wrapped) != "impacts[0].affected_percent" {
		t.Fatalf("wrapped: code %q field %q", CodeOf(wrapped), FieldOf(wrapped))
	}
	if CodeOf(fmt.Errorf("disk")) != Internal || MessageOf(fmt.Errorf("secret path")) != "internal error" {
		t.Fatal("plain errors must be internal and not leak")
	}
	if CodeOf(nil) != "" {
		t.Fatal("nil has no code")
	}
}

func TestWrap(t *testing.T) {
	failing := func() (err error) {
		defer Wrap(&err, "store: Incident %d", 7)
		return fmt.Errorf("no such table: incidents")
	}
	if got := failing().Error(); got != "store: Incident 7: no such table: incidents" {
		t.Fatalf("got %q", got)
	}
	domain := func() (err error) {
		defer Wrap(&err, "store: Incident %d", 7)
		return NotFoundf("incident 7 not found")
	}
	if err := domain(); CodeOf(err) != NotFound || err.Error() != "incident 7 not found" {
		t.Fatalf("a domain error must stay as it is, got %q (%s)", err, CodeOf(err))
	}
	ok := func() (err error) {
		defer Wrap(&err, "store: Incident %d", 7)
		return nil
	}
	if ok() != nil {
		t.Fatal("nil must stay nil")
	}
}
