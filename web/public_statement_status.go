package web

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// statementStatus fills the statement's own status page from cs: the
// customer's components now, its incidents with its own downtime, and its
// month so far.
func statementStatus(v *templates.StatementPage, cs *report.CustomerStatus, names componentNames) {
	serviceName := map[string]string{}
	for _, svc := range cs.Services {
		serviceName[svc.ID] = svc.Name
	}
	for _, cc := range cs.Components {
		v.Components = append(v.Components, templates.StatementComponent{ID: cc.Component.ID, Name: names.name(cc.Component.ID),
			Service: orID(serviceName[cc.Component.Service], cc.Component.Service), Resources: strconv.FormatInt(cc.Resources, 10),
			Status: statusBadge(cc.Status)})
	}
	for _, ci := range cs.Active {
		v.Active = append(v.Active, statementIncident(ci, names, serviceName))
	}
	for _, ci := range cs.Recent {
		v.Recent = append(v.Recent, statementIncident(ci, names, serviceName))
	}
	v.RecentDays = strconv.Itoa(report.RecentDays)
	v.MonthName = monthName(cs.Month)
	for _, sm := range cs.MonthToDate {
		row := templates.StatementMonthToDate{Service: orID(serviceName[sm.Line.Service], sm.Line.Service), Uptime: sm.Line.Uptime + "%",
			Target: sm.Policy.Target.String() + "%", Met: sm.Uptime.CmpPercent(sm.Policy.Target) >= 0}
		row.Result = "Met"
		if !row.Met {
			row.Result = "Missed"
		}
		row.Tier = "none"
		if !sm.Line.CreditPercent.Ratio().IsZero() {
			row.Tier = sm.Line.CreditPercent.String() + "% credit"
		}
		v.MonthToDate = append(v.MonthToDate, row)
	}
}

// statementIncident is ci as the statement lists it.
func statementIncident(ci report.CustomerIncident, names componentNames, serviceName map[string]string) templates.StatementIncident {
	inc := ci.Incident
	row := templates.StatementIncident{Title: inc.Title, URL: "/incidents/" + strconv.FormatInt(inc.ID, 10),
		Started: viewTime(inc.StartedAt), Resolved: viewTimePtr(inc.ResolvedAt),
		Downtime: downtimeText(ci.Downtime), DowntimeExact: ci.Downtime.String() + " s"}
	var hit int64
	for _, h := range ci.Hit {
		hit += h.Hit()
		line := strconv.FormatInt(h.Count, 10) + " in " + names.name(h.Component)
		if h.Hit() != h.Count {
			line = strconv.FormatInt(h.Hit(), 10) + " of " + line
		}
		line += ", " + intervalText(h.From, h.To, h.Ongoing)
		row.Hit = append(row.Hit, line)
	}
	row.HitCount = strconv.FormatInt(hit, 10) + " " + plural(hit, "resource", "resources")
	if len(ci.Services) > 1 {
		for _, sd := range ci.Services {
			row.Services = append(row.Services, orID(serviceName[sd.Service], sd.Service)+": "+downtimeText(sd.Downtime))
		}
	}
	return row
}

// intervalText is [from, to) in the pages' time style; "since …" while it goes on.
func intervalText(from, to time.Time, ongoing bool) string {
	if ongoing {
		return "since " + viewTime(from).Text
	}
	return viewTime(from).Text + " to " + viewTime(to).Text
}

// downtimeText is an exact number of seconds in words: "1 h 3 min",
// "42 s", "none".
func downtimeText(r sla.Ratio) string {
	if r.IsZero() {
		return "none"
	}
	x := r.Rat()
	secs := new(big.Int).Quo(x.Num(), x.Denom())
	if !secs.IsInt64() {
		return r.String() + " s"
	}
	if s := secs.Int64(); s < 60 {
		return strconv.FormatInt(max(s, 1), 10) + " s"
	}
	return durationText(time.Duration(secs.Int64()) * time.Second)
}

// monthName is "2012-12" as "December 2012"; anything else as it is.
func monthName(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return templates.MonthText(t)
}

// orID is name, or id when name is empty.
func orID(name, id string) string {
	if strings.TrimSpace(name) == "" {
		return id
	}
	return name
}
