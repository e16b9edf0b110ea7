package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/notify"
	notifysqlite "github.com/amends/amends/notify/sqlite"
	"github.com/amends/amends/sla"
)

// requireClaims gives customer an ELB policy of its own that pays its
// tier credits only when claimed within two months.
func (e *testEnv) requireClaims(customer string) {
	e.t.Helper()
	two := int64(2)
	p := desk.ServicePolicy{Policy: sla.Policy{ID: "elb-" + customer, Service: "ELB", Target: sla.MustPercent("99.95"),
		Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}, {Below: sla.MustPercent("99.0"), CreditPercent: sla.MustPercent("25")}},
		Count: []sla.Status{sla.PartialOutage, sla.MajorOutage}, ClaimPeriods: &two}, Customer: customer, RequiresClaim: true}
	if _, err := e.desk.PutPolicy(context.Background(), audit.Person("test"), p, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// Where a policy requires a claim, the statement offers "Claim this
// credit" until the deadline; the claim, with its note, is recorded in
// the desk as made through the statement link; a second claim, a credit
// the statement does not offer and a wrong token are refused, and nothing
// of it shows on another customer's statement.
func TestStatementClaims(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	env.requireClaims("streamflix")
	stream := env.statementLink(support, "streamflix")
	snow := env.statementLink(support, "snowcap-retail")

	b := env.browser()
	resp, page := b.get(stream)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statement: %d", resp.StatusCode)
	}
	doc := parseHTML(t, page)
	rows := doc.Find(testid("statement-claim"))
	var open string
	for i := range rows.Length() {
		r := rows.Eq(i)
		if strings.Contains(r.Text(), "Elastic Load Balancing, December 2012") && r.Find(testid("claim-form")).Length() == 1 {
			open = textOf(r)
		}
	}
	if !strings.Contains(open, "Claim before 1 Mar 2013, 00:00 UTC") {
		t.Fatalf("no open December ELB claim with its deadline:\n%s", textOf(doc.Find("#claims")))
	}
	if _, other := b.get(snow); strings.Contains(other, "statement-claim") || strings.Contains(other, "Streamflix") {
		t.Error("Snowcap's statement offers a claim or shows Streamflix")
	}

	claims := func() []desk.Claim {
		list, err := env.desk.Claims(context.Background(), "streamflix")
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	// Without the form's token: refused, nothing recorded.
	if r, _ := env.browser().noFollow().post(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a claim without CSRF token: %d", r.StatusCode)
	}
	// A wrong token: the same 404 as a page that does not exist.
	b.get(stream)
	wrong := stream[:len(stream)-3] + "xyz"
	st, body := b.send(wrong+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}})
	_, missing := b.get("/statement/" + strings.Repeat("A", 43))
	if st != http.StatusNotFound || textOf(parseHTML(t, body).Find("main")) != textOf(parseHTML(t, missing).Find("main")) {
		t.Errorf("wrong token: %d", st)
	}
	// A month the statement does not offer.
	b.get(stream)
	st, body = b.send(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2011-04"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(textOf(parseHTML(t, body).Find(testid("claim-refused"))), `"2011-04"`) {
		t.Errorf("a credit not offered: %d", st)
	}
	if len(claims()) != 0 {
		t.Fatal("a refused claim was recorded")
	}

	b.get(stream)
	st, _ = b.send(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}, "note": {"  Our checkout was down on Christmas Eve.  "}})
	if st != http.StatusSeeOther {
		t.Fatalf("claim: %d", st)
	}
	got := claims()
	if len(got) != 1 || got[0].Service != "ELB" || got[0].Month != "2012-12" || got[0].Late || got[0].Note != "Our checkout was down on Christmas Eve." ||
		!strings.Contains(got[0].RecordedBy, "statement link") || !got[0].ClaimedAt.Equal(demoNow) {
		t.Fatalf("recorded %+v", got)
	}
	_, page = b.get(stream + "?claimed=elb-2012-12")
	doc = parseHTML(t, page)
	if !strings.Contains(textOf(doc.Find(testid("claim-recorded"))), "Elastic Load Balancing in December 2012") || !strings.Contains(textOf(doc.Find(testid("claim-state"))), "Claimed") {
		t.Errorf("after the claim:\n%s", textOf(doc.Find("#claims")))
	}
	// The desk sees it.
	_, cust := env.user(auth.Support).get("/admin/customers/streamflix")
	if row := textOf(parseHTML(t, cust).Find(testid("claim-row"))); !strings.Contains(row, "Christmas Eve") || !strings.Contains(row, "statement link") {
		t.Errorf("customer page claim row %q", row)
	}
	// Twice: refused, naming why.
	st, body = b.send(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}})
	if st != http.StatusConflict || !strings.Contains(textOf(parseHTML(t, body).Find(testid("claim-refused"))), "already claimed") {
		t.Errorf("a second claim: %d", st)
	}
	if len(claims()) != 1 {
		t.Error("a second claim was recorded")
	}
}

// After its deadline a credit can no longer be claimed from the statement:
// refused, naming the deadline, and nothing recorded; claims share the
// subscribe form's per-address rate limit.
func TestStatementClaimAfterDeadline(t *testing.T) {
	env := newTestEnvWith(t, envOptions{demo: true, start: demoNow, config: func(c *Config) { c.SubscribeRate = 2 }})
	support := env.token(auth.Support)
	env.requireClaims("streamflix")
	stream := env.statementLink(support, "streamflix")
	env.clock.Advance(60 * 24 * time.Hour) // 6 March 2013: past the end of February
	b := env.browser()
	_, page := b.get(stream)
	if s := textOf(parseHTML(t, page).Find(testid("statement-claim")).First()); !strings.Contains(s, "deadline to claim it passed") {
		t.Errorf("expired claim row %q", s)
	}
	b.csrf = b.cookie(csrfCookie).Value // the page has no form left to read it from
	st, body := b.send(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}})
	if why := textOf(parseHTML(t, body).Find(testid("claim-refused"))); st != http.StatusUnprocessableEntity || !strings.Contains(why, "deadline") || !strings.Contains(why, "2013") {
		t.Errorf("a late claim: %d %q", st, why)
	}
	if n := env.count("sla_claims"); n != 0 {
		t.Errorf("%d claims recorded after the deadline", n)
	}
	b.send(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}})
	if st, _ := b.send(stream+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}}); st != http.StatusTooManyRequests {
		t.Errorf("the third claim in a minute: %d", st)
	}
}

// The statement subscribes the customer's contacts to just its own
// components, through the normal double opt-in: the form pre-selects
// them and the subscriber waits for its confirmation.
func TestStatementSubscribesItsComponents(t *testing.T) {
	holder := &notifyHolder{}
	env := newTestEnvWith(t, envOptions{demo: true, start: demoNow, config: func(c *Config) { c.Notify = holder }})
	st, err := notifysqlite.New(env.db)
	if err != nil {
		t.Fatal(err)
	}
	holder.Service = notify.NewService(st, notify.Options{Email: true, Resolver: net.DefaultResolver})
	stream := env.statementLink(env.token(auth.Support), "streamflix")
	b := env.browser()
	_, page := b.get(stream)
	doc := parseHTML(t, page)
	f := doc.Find(testid("statement-subscribe"))
	if f.AttrOr("action", "") != "/subscribe" || f.Find(`input[name="email"]`).AttrOr("value", "") != "billing@streamflix.example" {
		t.Fatalf("subscribe form:\n%s", textOf(f))
	}
	form := url.Values{"email": {"ops@streamflix.example"}}
	var listed []string
	f.Find(`input[name="components"]`).Each(func(_ int, s *goquery.Selection) {
		if _, checked := s.Attr("checked"); checked {
			form.Add("components", s.AttrOr("value", ""))
		}
	})
	doc.Find(testid("statement-components")).Find("tbody tr").Each(func(_ int, s *goquery.Selection) {
		listed = append(listed, s.AttrOr("data-testid", ""))
	})
	if len(form["components"]) != 7 || len(listed) != 7 {
		t.Fatalf("pre-selected %v of %d components", form["components"], len(listed))
	}
	if r := b.postForm("/subscribe", form); r.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %d", r.StatusCode)
	}
	subs, err := st.Subscribers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].State != notify.Pending || subs[0].Address != "ops@streamflix.example" {
		t.Fatalf("subscribers %+v", subs)
	}
	got := slices.Sorted(slices.Values(subs[0].Components))
	want := slices.Sorted(slices.Values(form["components"]))
	if !slices.Equal(got, want) {
		t.Errorf("follows %v, want the statement's %v", got, want)
	}
}

// The demo's own claimant (Lumen Payments, whose ELB policy pays only on a
// claim) walks the claim: on 5 Jan 2013 its statement offers the December
// 2012 ELB credit, 10% of its 180.00 USD of load balancers (uptime 99.9743%
// against its 99.99%), until 1 Mar 2013; the claim shows in the desk; two
// months later the same claim is refused as past its deadline.
func TestDemoClaimantClaimsItsDecemberCredit(t *testing.T) {
	for _, late := range []bool{false, true} {
		env := newDemoEnv(t)
		link := env.statementLink(env.token(auth.Support), "lumen-payments")
		if late {
			env.clock.Advance(60 * 24 * time.Hour) // 6 March 2013
		}
		b := env.browser()
		_, page := b.get(link)
		rows := parseHTML(t, page).Find(testid("statement-claim"))
		row := textOf(rows)
		if rows.Length() != 1 || !strings.Contains(row, "Elastic Load Balancing, December 2012: 18.00 USD") {
			t.Fatalf("late %v: claims offered %q", late, row)
		}
		if late {
			b.csrf = b.cookie(csrfCookie).Value // no form left to read it from
		}
		st, body := b.send(link+"/claims", url.Values{"service": {"ELB"}, "month": {"2012-12"}, "note": {"Checkout down on Christmas Eve"}})
		claims, err := env.desk.Claims(context.Background(), "lumen-payments")
		if err != nil {
			t.Fatal(err)
		}
		if late {
			if why := textOf(parseHTML(t, body).Find(testid("claim-refused"))); st != http.StatusUnprocessableEntity || !strings.Contains(why, "passed on 1 Mar 2013") || len(claims) != 0 {
				t.Errorf("a claim after the deadline: %d %q, %d recorded", st, why, len(claims))
			}
			continue
		}
		if !strings.Contains(row, "Claim before 1 Mar 2013, 00:00 UTC") || st != http.StatusSeeOther || len(claims) != 1 || claims[0].Month != "2012-12" {
			t.Fatalf("claim: %q, %d, %+v", row, st, claims)
		}
		_, cust := env.user(auth.Support).get("/admin/customers/lumen-payments")
		if r := textOf(parseHTML(t, cust).Find(testid("claim-row"))); !strings.Contains(r, "Christmas Eve") || !strings.Contains(r, "statement link") {
			t.Errorf("the desk's claim row %q", r)
		}
	}
}
