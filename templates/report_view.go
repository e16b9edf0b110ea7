package templates

// CustomerReportPage is "/admin/reports/sla/customer": one customer's SLA
// report for one month, printable.
type CustomerReportPage struct {
	Page
	Customer CustomerRow
	// Customers are the choices of the form that opens another customer's report.
	Customers []Option
	// Month is "2012-12"; MonthLabel "December 2012", with " (so far)"
	// while the month is not over.
	Month      string
	MonthLabel string
	Months     []Option
	// AsOf is the evaluation instant: downtime is counted up to it.
	AsOf Time
	// Over is true once the month is over (in UTC).
	Over bool
	// Summary has one row per service the customer has a policy for (and
	// a total row when there are several); it is the page's CSV, and the
	// page shows it as Figures and Credits (the service, then its uptime
	// columns or its credit columns).
	Summary DataTable
	Figures DataTable
	Credits DataTable
	// Method is the accounting method in plain words, one paragraph each:
	// what holds for every service here (each service's own Method adds
	// what its policy says apart).
	Method []string
	// Services is each summary row's detail, in the same order.
	Services []CustomerReportService
	// Unpolicied names the services the customer uses that have no SLA
	// policy ("EC2"), which earn no credit.
	Unpolicied string
	// Ledger is every ledger entry of the customer for the month.
	Ledger DataTable
}

// CustomerReportService is the detail of one service in a customer's
// report: the policy applied, how it counts, why the line pays what it
// pays, the customer's resources and the incidents that counted.
type CustomerReportService struct {
	// ID is the service's id, for anchors and test ids ("ELB").
	ID   string
	Name string
	// Policy says which policy applies and whether it is the customer's
	// own override or the service's default.
	Policy string
	// Method is what the accounting method says under this service's
	// policy beyond the page's Method, one paragraph each.
	Method []string
	// Reason is the credit run line's reason.
	Reason    string
	Resources DataTable
	Incidents DataTable
}

// Link is a link with its text.
type Link struct {
	Text string
	URL  string
}
