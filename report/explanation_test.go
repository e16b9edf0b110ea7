package report

import (
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

// An explanation's draft quotes the uptime of the month in which its
// incident started, as sla.Evaluate gives it, and once that month is over
// everywhere the credits its run offers in the services the incident
// affected: every customer with resources there, those who lost uptime,
// and the credit per currency.
func TestExplanationFigures(t *testing.T) {
	f := newFixture(t)
	inc := f.christmas()
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	f.customer("globex", "USD", "elb-eu-west-1", 2, "2012-12", 100000)

	// On 28 December the month is not over: no credits yet.
	dec28 := time.Date(2012, 12, 28, 0, 0, 0, 0, time.UTC)
	fig, err := f.r.ExplanationFigures(f.ctx, inc, dec28)
	if err != nil {
		t.Fatal(err)
	}
	if fig.Credits != nil || fig.CreditsErr != nil || fig.MonthErr != nil || fig.Month == nil {
		t.Fatalf("%+v", fig)
	}
	if len(fig.Services) != 1 || len(fig.Components) != 2 {
		t.Errorf("catalog %+v %+v", fig.Services, fig.Components)
	}
	got := sla.ResultsByID(fig.Month.Components)
	want := f.evaluate(december, december.AddDate(0, 1, 0), dec28)
	sameRatio(t, "us-east-1 so far", got["elb-us-east-1"].UptimePercent(), want["elb-us-east-1"].UptimePercent())

	fig, err = f.r.ExplanationFigures(f.ctx, inc, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if fig.MonthErr != nil || fig.CreditsErr != nil || fig.Credits == nil {
		t.Fatalf("%+v", fig)
	}
	got = sla.ResultsByID(fig.Month.Components)
	want = f.evaluate(december, december.AddDate(0, 1, 0), f.now)
	sameRatio(t, "us-east-1 in December", got["elb-us-east-1"].UptimePercent(), want["elb-us-east-1"].UptimePercent())
	// acme lost 6.8% of 79,560 s: 99.7980%, 10% of 2,500.00 USD; globex
	// lost nothing.
	c := fig.Credits
	if c.Customers != 2 || c.CustomersHit != 1 || len(c.CreditMinor) != 1 || c.CreditMinor["USD"] != 25000 {
		t.Errorf("credits %+v", c)
	}
}
