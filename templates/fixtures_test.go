package templates

// Sample view models for tests and for rendering the pages by hand: the
// December 2012 ELB story of PRODUCT.md, told as a status page would.

const sampleCSRF = "csrf-token-0123456789abcdef"

func publicNav(current string) Nav {
	return Nav{SiteName: "Amends Cloud", CSRF: sampleCSRF, Current: current}
}

func adminNav(current string) Nav {
	return Nav{
		SiteName: "Amends Cloud",
		UserName: "Ada Okafor",
		UserRole: "admin",
		CSRF:     sampleCSRF,
		Admin:    true,
		Current:  current,
	}
}

func at(iso, text string) Time { return Time{ISO: iso, Text: text} }

var (
	badgeOperational = StatusBadge{Class: "operational", Label: "Operational"}
	badgeDegraded    = StatusBadge{Class: "degraded_performance", Label: "Degraded performance"}
	badgePartial     = StatusBadge{Class: "partial_outage", Label: "Partial outage"}
	badgeMajor       = StatusBadge{Class: "major_outage", Label: "Major outage"}
	badgeMaintenance = StatusBadge{Class: "under_maintenance", Label: "Under maintenance"}
)

const elbTitle = "Elevated API error rates and degraded load balancers in US-East-1"

func elbSummary(url string) IncidentSummary {
	return IncidentSummary{
		URL:      url,
		Title:    elbTitle,
		Impact:   StatusBadge{Class: "major", Label: "Major"},
		Phase:    "Identified",
		Started:  at("2012-12-24T20:24:00Z", "24 Dec 2012, 20:24 UTC"),
		Duration: "ongoing",
		Latest: "We have disabled scaling and configuration changes for load balancers in US-East-1 " +
			"while we restore the control plane's state. At the worst point 6.8% of running load " +
			"balancers in the region are affected.",
		LatestAt:   at("2012-12-25T01:00:00Z", "25 Dec 2012, 01:00 UTC"),
		Components: []string{"ELB us-east-1", "ELB API us-east-1"},
	}
}

func sampleStatus() StatusPage {
	return StatusPage{
		Page: Page{
			Title:       "Status",
			Description: "Current status of Amends Cloud services.",
			Nav:         publicNav("/"),
		},
		Overall: StatusBadge{Class: "partial_outage", Label: "Partial outage"},
		Services: []ServiceGroup{
			{
				ID: "elb", Name: "Elastic Load Balancing", Description: "Load balancers and their control plane",
				Status: badgePartial,
				Components: []ComponentRow{
					{ID: "elb-us-east-1", Name: "ELB us-east-1", Where: "us-east-1", Status: badgePartial, Percent: "6.8%"},
					{ID: "elb-api-us-east-1", Name: "ELB API us-east-1", Where: "us-east-1", Status: badgeDegraded, Percent: "100%"},
					{ID: "elb-us-west-2", Name: "ELB us-west-2", Where: "us-west-2", Status: badgeOperational},
					{ID: "elb-eu-west-1", Name: "ELB eu-west-1", Where: "eu-west-1", Status: badgeOperational},
				},
			},
			{
				ID: "ec2", Name: "EC2", Description: "Virtual servers",
				Status: badgeOperational,
				Components: []ComponentRow{
					{ID: "ec2-us-east-1", Name: "EC2 us-east-1", Where: "us-east-1", Status: badgeOperational},
					{ID: "ec2-us-west-2", Name: "EC2 us-west-2", Where: "us-west-2", Status: badgeOperational},
					{ID: "ec2-eu-west-1", Name: "EC2 eu-west-1", Where: "eu-west-1", Status: badgeOperational},
				},
			},
			{
				ID: "ebs", Name: "EBS", Description: "Block storage volumes",
				Status: badgeMaintenance,
				Components: []ComponentRow{
					{ID: "ebs-us-east-1a", Name: "EBS us-east-1a", Where: "us-east-1a", Group: "US-East-1 zones", Status: badgeOperational},
					{ID: "ebs-us-east-1b", Name: "EBS us-east-1b", Where: "us-east-1b", Group: "US-East-1 zones", Status: badgeOperational},
					{ID: "ebs-eu-west-1", Name: "EBS eu-west-1", Where: "eu-west-1", Group: "Other regions", Status: badgeMaintenance},
				},
			},
			{
				ID: "rds", Name: "RDS", Description: "Managed databases",
				Status: badgeOperational,
				Components: []ComponentRow{
					{ID: "rds-us-east-1", Name: "RDS us-east-1", Where: "us-east-1", Status: badgeOperational},
					{ID: "rds-eu-west-1", Name: "RDS eu-west-1", Where: "eu-west-1", Status: badgeOperational},
				},
			},
		},
		Active: []IncidentSummary{elbSummary("/incidents/2")},
		Maintenance: []MaintenanceSummary{
			{
				ID: 3, Title: "EBS storage fleet upgrade in eu-west-1",
				Message:    "Volumes stay available; a small share may see higher latency for a few minutes each.",
				Phase:      "Scheduled",
				PhaseClass: "scheduled",
				Starts:     at("2013-01-08T02:00:00Z", "8 Jan 2013, 02:00 UTC"),
				Ends:       at("2013-01-08T05:00:00Z", "8 Jan 2013, 05:00 UTC"),
				Components: []string{"EBS eu-west-1"},
			},
		},
		GeneratedAt: at("2012-12-25T01:02:00Z", "25 Dec 2012, 01:02 UTC"),
	}
}

func elbUpdates() []UpdateView {
	return []UpdateView{
		{
			Phase: "Resolved", PhaseClass: "resolved",
			Paragraphs: []string{
				"All load balancers in US-East-1 are working normally again, and the control plane accepts changes.",
				"We are sorry. A maintenance process, run with access that should have needed approval for each use, deleted part of the control plane's state. That access now needs approval for every change.",
			},
			At:     at("2012-12-25T20:05:00Z", "25 Dec 2012, 20:05 UTC"),
			Author: "Ada Okafor",
			Components: []ComponentChangeView{
				{Name: "ELB us-east-1", Status: badgeOperational},
				{Name: "ELB API us-east-1", Status: badgeOperational},
			},
		},
		{
			Phase: "Monitoring", PhaseClass: "monitoring",
			Paragraphs: []string{"The restored state has been merged. Almost all affected load balancers are back; we are recovering the rest one by one."},
			At:         at("2012-12-25T18:30:00Z", "25 Dec 2012, 18:30 UTC"),
			Author:     "Ada Okafor",
			Components: []ComponentChangeView{
				{Name: "ELB us-east-1", Status: badgeDegraded, Percent: "0.4%"},
			},
		},
		{
			Phase: "Identified", PhaseClass: "identified",
			Paragraphs: []string{
				"Part of the ELB control plane's state data in US-East-1 was deleted by a maintenance process. We have disabled scaling and changes while we restore it.",
				"At the worst point 6.8% of running load balancers in the region are affected.",
			},
			At:     at("2012-12-25T01:00:00Z", "25 Dec 2012, 01:00 UTC"),
			Author: "Grace Mensah",
			Components: []ComponentChangeView{
				{Name: "ELB us-east-1", Status: badgePartial, Percent: "6.8%"},
				{Name: "ELB API us-east-1", Status: badgeMajor, Percent: "100%"},
			},
		},
		{
			Phase: "Investigating", PhaseClass: "investigating",
			Paragraphs: []string{"We are investigating elevated error rates for ELB API calls in US-East-1. Existing load balancers can't be changed at the moment; new ones can be created."},
			At:         at("2012-12-24T20:24:00Z", "24 Dec 2012, 20:24 UTC"),
			Author:     "Grace Mensah",
			Components: []ComponentChangeView{
				{Name: "ELB API us-east-1", Status: badgeDegraded, Percent: "100%"},
			},
		},
	}
}

func sampleIncident() IncidentPage {
	in := elbSummary("/incidents/2")
	in.Phase = "Resolved"
	in.Resolved = at("2012-12-25T20:05:00Z", "25 Dec 2012, 20:05 UTC")
	in.Duration = "23 h 41 min"
	return IncidentPage{
		Page:     Page{Title: elbTitle, Description: "Timeline of the incident.", Nav: publicNav("/incidents/2")},
		Incident: in,
		Affected: []AffectedComponent{
			{Name: "ELB us-east-1", Worst: badgePartial, PeakPercent: "6.8%"},
			{Name: "ELB API us-east-1", Worst: badgeMajor, PeakPercent: "100%"},
		},
		Updates: elbUpdates(),
	}
}

func sampleHistory() HistoryPage {
	elb := sampleIncident().Incident
	elb.Latest = "All load balancers in US-East-1 are working normally again."
	ebs := IncidentSummary{
		URL:        "/incidents/1",
		Title:      "Stuck EBS volumes and elevated API errors in US-East-1",
		Impact:     StatusBadge{Class: "critical", Label: "Critical"},
		Phase:      "Resolved",
		Started:    at("2011-04-21T08:47:00Z", "21 Apr 2011, 08:47 UTC"),
		Resolved:   at("2011-04-24T19:30:00Z", "24 Apr 2011, 19:30 UTC"),
		Duration:   "3 d 10 h 43 min",
		Latest:     "All volumes that can be recovered have been recovered. Affected customers get a 10-day credit.",
		Components: []string{"EBS us-east-1a", "RDS us-east-1"},
	}
	minor := IncidentSummary{
		URL:        "/incidents/4",
		Title:      "Slow console sign-in",
		Impact:     StatusBadge{Class: "minor", Label: "Minor"},
		Phase:      "Resolved",
		Started:    at("2012-12-03T09:10:00Z", "3 Dec 2012, 09:10 UTC"),
		Resolved:   at("2012-12-03T09:52:00Z", "3 Dec 2012, 09:52 UTC"),
		Duration:   "42 min",
		Latest:     "Sign-in times are back to normal.",
		Components: []string{"EC2 us-east-1"},
	}
	return HistoryPage{
		Page: Page{Title: "Incident history", Nav: publicNav("/history")},
		Months: []HistoryMonth{
			{Label: "December 2012", Incidents: []IncidentSummary{elb, minor}},
			{Label: "April 2011", Incidents: []IncidentSummary{ebs}},
		},
		Pagination: Pagination{Page: 2, Pages: 3, PrevURL: "/history?page=1", NextURL: "/history?page=3"},
	}
}

func statusOptions(selected string) []Option {
	all := []Option{
		{Value: "operational", Label: "Operational"},
		{Value: "degraded_performance", Label: "Degraded performance"},
		{Value: "partial_outage", Label: "Partial outage"},
		{Value: "major_outage", Label: "Major outage"},
		{Value: "under_maintenance", Label: "Under maintenance"},
	}
	for i := range all {
		all[i].Selected = all[i].Value == selected
	}
	return all
}

func sampleComponentFields() []ComponentField {
	return []ComponentField{
		{ID: "elb-us-east-1", Name: "ELB us-east-1", Service: "Elastic Load Balancing", Statuses: statusOptions("partial_outage"), Percent: "6.8"},
		{ID: "elb-api-us-east-1", Name: "ELB API us-east-1", Service: "Elastic Load Balancing", Statuses: statusOptions("degraded_performance"), Percent: "100"},
		{ID: "elb-us-west-2", Name: "ELB us-west-2", Service: "Elastic Load Balancing", Statuses: statusOptions("operational")},
		{ID: "ec2-us-east-1", Name: "EC2 us-east-1", Service: "EC2", Statuses: statusOptions("operational")},
		{ID: "ebs-us-east-1a", Name: "EBS us-east-1a", Service: "EBS", Statuses: statusOptions("operational")},
	}
}

func sampleNewIncident() IncidentForm {
	fields := sampleComponentFields()
	fields[0].Percent = "106.8"
	fields[0].Error = "Affected % must be between 0 and 100."
	return IncidentForm{
		Page:  Page{Title: "Declare an incident", Nav: adminNav("/admin/incidents/new")},
		Title: elbTitle,
		Impacts: []Option{
			{Value: "none", Label: "None"},
			{Value: "minor", Label: "Minor"},
			{Value: "major", Label: "Major", Selected: true},
			{Value: "critical", Label: "Critical"},
		},
		Phases: []Option{
			{Value: "investigating", Label: "Investigating", Selected: true},
			{Value: "identified", Label: "Identified"},
			{Value: "monitoring", Label: "Monitoring"},
			{Value: "resolved", Label: "Resolved"},
		},
		Message:    "We are investigating elevated error rates for ELB API calls in US-East-1.",
		StartedAt:  "2012-12-24 20:24",
		Components: fields,
		Error: FormError{
			Summary: "The incident was not declared: check the fields marked below.",
			Fields:  map[string]string{"percent.elb-us-east-1": "Affected % must be between 0 and 100."},
		},
	}
}

func sampleAdminIncident() AdminIncidentPage {
	in := elbSummary("/admin/incidents/2")
	return AdminIncidentPage{
		Page:      Page{Title: elbTitle, Nav: adminNav("/admin/incidents/2"), Flash: "Update posted."},
		ID:        2,
		Incident:  in,
		PublicURL: "/incidents/2",
		Updates:   elbUpdates()[2:],
		CanWrite:  true,
		Phases: []Option{
			{Value: "identified", Label: "Identified", Selected: true},
			{Value: "monitoring", Label: "Monitoring"},
			{Value: "resolved", Label: "Resolved"},
		},
		Components: sampleComponentFields(),
	}
}

func sampleAdminHome() AdminHome {
	return AdminHome{
		Page:        Page{Title: "Admin", Nav: adminNav("/admin")},
		Active:      []IncidentSummary{elbSummary("/admin/incidents/2")},
		Maintenance: sampleStatus().Maintenance,
		Overall:     StatusBadge{Class: "partial_outage", Label: "Partial outage"},
		CanWrite:    true,
	}
}

func sampleAdminIncidents() AdminIncidentsPage {
	res := sampleHistory().Months[1].Incidents
	return AdminIncidentsPage{
		Page:       Page{Title: "Incidents", Nav: adminNav("/admin/incidents")},
		Active:     []IncidentSummary{elbSummary("/admin/incidents/2")},
		Resolved:   res,
		Pagination: Pagination{Page: 1, Pages: 2, NextURL: "/admin/incidents?page=2"},
		CanWrite:   true,
	}
}

func sampleMaintenance() MaintenanceForm {
	up := sampleStatus().Maintenance
	up = append(up, MaintenanceSummary{
		ID: 4, Title: "RDS minor version upgrade", Message: "Instances restart once each.",
		Phase: "In progress", PhaseClass: "in_progress",
		Starts:     at("2012-12-20T03:00:00Z", "20 Dec 2012, 03:00 UTC"),
		Ends:       at("2012-12-20T04:00:00Z", "20 Dec 2012, 04:00 UTC"),
		Components: []string{"RDS us-east-1"},
	})
	return MaintenanceForm{
		Page:     Page{Title: "Maintenance", Nav: adminNav("/admin/maintenance")},
		Upcoming: up,
		Past: []MaintenanceSummary{{
			ID: 1, Title: "Network upgrade in us-west-2", Phase: "Completed", PhaseClass: "completed",
			Starts: at("2012-11-10T02:00:00Z", "10 Nov 2012, 02:00 UTC"),
			Ends:   at("2012-11-10T03:00:00Z", "10 Nov 2012, 03:00 UTC"),
		}},
		CanWrite: true,
		Title:    "Load balancer fleet patching",
		StartsAt: "2013-01-15 02:00",
		EndsAt:   "2013-01-15 01:00",
		Components: []Option{
			{Value: "elb-us-east-1", Label: "ELB us-east-1", Selected: true},
			{Value: "elb-us-west-2", Label: "ELB us-west-2"},
			{Value: "ebs-eu-west-1", Label: "EBS eu-west-1"},
		},
		Error: FormError{
			Summary: "The maintenance was not scheduled.",
			Fields:  map[string]string{"ends_at": "Ends at must be after starts at."},
		},
	}
}

func sampleServices() ServicesPage {
	return ServicesPage{
		Page: Page{Title: "Services", Nav: adminNav("/admin/services")},
		Services: []AdminService{
			{
				ID: "elb", Name: "Elastic Load Balancing", Description: "Load balancers", Position: "1",
				Components: []AdminComponent{
					{ID: "elb-us-east-1", Name: "ELB us-east-1", Region: "us-east-1", Resources: "12000", Position: "1", Status: badgePartial},
					{ID: "elb-us-west-2", Name: "ELB us-west-2", Region: "us-west-2", Position: "2", Status: badgeOperational},
				},
			},
			{ID: "ebs", Name: "EBS", Position: "3"},
		},
		CanWrite:     true,
		ComponentFrm: ComponentFields{Service: "elb", Name: "ELB ap-south-1"},
		ServiceOpts: []Option{
			{Value: "elb", Label: "Elastic Load Balancing"},
			{Value: "ebs", Label: "EBS"},
		},
		Error: FormError{
			Summary: "The component was not added.",
			Fields:  map[string]string{"region": "Region is required."},
		},
	}
}

func roles(selected string) []Option {
	out := []Option{
		{Value: "viewer", Label: "Viewer"},
		{Value: "support", Label: "Support"},
		{Value: "manager", Label: "Manager"},
		{Value: "admin", Label: "Admin"},
	}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

func sampleUsers() UsersPage {
	return UsersPage{
		Page: Page{Title: "Users", Nav: adminNav("/admin/users")},
		Users: []UserRow{
			{ID: 1, Email: "ada@example.com", Name: "Ada Okafor", Role: "admin", Created: at("2012-12-01T10:00:00Z", "1 Dec 2012, 10:00 UTC"), Roles: roles("admin")},
			{ID: 2, Email: "grace@example.com", Name: "Grace Mensah", Role: "support", Disabled: true, Created: at("2012-12-02T10:00:00Z", "2 Dec 2012, 10:00 UTC"), Roles: roles("support")},
		},
		Tokens: []TokenRow{
			{ID: 1, Name: "deploy pipeline", Owner: "ada@example.com", Role: "support", Prefix: "am_3f9a", Created: at("2012-12-03T10:00:00Z", "3 Dec 2012, 10:00 UTC")},
			{ID: 2, Name: "old monitor", Owner: "ada@example.com", Role: "viewer", Prefix: "am_77c1", Created: at("2012-11-03T10:00:00Z", "3 Nov 2012, 10:00 UTC"), LastUsed: at("2012-11-30T10:00:00Z", "30 Nov 2012, 10:00 UTC"), Revoked: at("2012-12-01T09:00:00Z", "1 Dec 2012, 09:00 UTC")},
		},
		Roles:    roles("viewer"),
		NewToken: "am_3f9a_7Qe2p9LxWmZt4RkB",
		UserForm: UserFields{Email: "not-an-email", Name: "Linus", Role: "support"},
		Error: FormError{
			Summary: "The user was not added.",
			Fields:  map[string]string{"email": "Enter a valid email address."},
		},
	}
}
