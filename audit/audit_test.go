package audit

import "testing"

func TestActor(t *testing.T) {
	for _, tc := range []struct {
		a          Actor
		who, label string
	}{
		{Person("ann@example.com"), "ann@example.com", "ann@example.com"},
		{Actor{Person: "ann@example.com", Label: "ann@example.com (token ci)"}, "ann@example.com", "ann@example.com (token ci)"},
		{Named("visitor 192.0.2.1"), "visitor 192.0.2.1", "visitor 192.0.2.1"},
		{Actor{}, "", ""},
	} {
		if got := tc.a.Who(); got != tc.who {
			t.Errorf("%+v.Who() = %q, want %q", tc.a, got, tc.who)
		}
		if got := tc.a.AuditLabel(); got != tc.label {
			t.Errorf("%+v.AuditLabel() = %q, want %q", tc.a, got, tc.label)
		}
	}
}
