package templates

import (
	"strconv"
	"strings"
)

// DataTable is a table of ready-formatted text that a page shows and that
// its CSV export writes cell for cell: Head is the header row, each row's
// cells follow it.
type DataTable struct {
	// ID names the table: its data-testid and the "table" of its CSV.
	ID string
	// Compact tables (many narrow number columns) have tighter cells.
	Compact bool
	Caption string
	Head    []string
	Rows    []DataRow
	// CSV is the URL of the table as CSV; "" for none.
	CSV string
	// Empty is shown instead of the table when it has no rows.
	Empty string
	// HowCounted says how each figure is counted, under the table.
	HowCounted []HowCounted
}

// DataRow is one row of a DataTable. Level is its depth ("service",
// "region", "component") for CSS; the first cell is the row's header.
type DataRow struct {
	Level string
	Cells []DataCell
}

// DataCell is one cell: Class marks numbers ("num") and flags ("met",
// "missed", "burning"); URL, when set, makes Text a link on the page (the
// CSV has Text alone).
type DataCell struct {
	Text  string
	Class string
	URL   string
	// Mark, when set ("met", "missed"), follows Text as a symbol on screen
	// and as " (met)" for screen readers and in the CSV.
	Mark string
	// Title is the cell's tooltip (the exact figure of a rounded one).
	Title string
}

// MarkText is what c's Mark adds to its text: " (missed)", or "".
func (c DataCell) MarkText() string {
	if c.Mark == "" {
		return ""
	}
	return " (" + c.Mark + ")"
}

// Chart is a bar chart drawn on the server as inline SVG, with a title and
// a description for assistive technology and Table as its text
// alternative. Coordinates are in the SVG's user units.
type Chart struct {
	ID            string
	Title         string
	Desc          string
	Width, Height int64
	Bars          []ChartBar
	// TargetY is the y of the target line, -1 for none; TargetLabel names it.
	TargetY     int64
	TargetLabel string
	Labels      []ChartLabel
	Table       DataTable
}

// ChartBar is one bar; Title is its tooltip ("December 2012: 99.7980%").
type ChartBar struct {
	X, Y, W, H int64
	Class      string
	Title      string
}

// ChartLabel is a text on a chart's axis.
type ChartLabel struct {
	X, Y   int64
	Text   string
	Anchor string // "start", "middle", "end"
}

// DashboardPage is "/admin/dashboard": the SLA dashboard for managers.
type DashboardPage struct {
	Page
	AsOf       Time
	MonthLabel string
	Month      string // "2012-12"
	Months     []Option
	Services   []Option
	Regions    []Option
	Components []Option
	// Budget is the selected month per service, region and component:
	// uptime, target, error budget, burn rates, projection.
	Budget         DataTable
	ProjectionNote string
	// Burn is the burn rates per scope over the four windows; BurnNote
	// and BurnFlags say what they mean in plain words.
	Burn      DataTable
	BurnNote  string
	BurnFlags []string
	History   DataTable
	Charts    []Chart
	Credits   DataTable
	// CreditsNote says how credits that name no region or component are
	// counted under a region or component filter.
	CreditsNote string
	Costly      DataTable
	// CostlyNote says why the costliest incidents may be missing.
	CostlyNote string
	Incidents  DataTable
	// IncidentsNote names what Incidents leaves out (months without any).
	IncidentsNote string
	ReportURL     string
}

// ReportPage is "/admin/reports/sla": one service's SLA report for a month.
type ReportPage struct {
	Page
	ServiceName string
	// Month is the month shown, "2012-12".
	Month      string
	MonthLabel string
	Services   []Option
	Months     []Option
	// Customers are the choices of the form that opens one customer's report.
	Customers []Option
	// Method is the accounting method in plain words, one paragraph each.
	Method  []string
	Figures DataTable
	Credits DataTable
	AsOf    Time
}

// viewBox is a chart's SVG viewBox.
func viewBox(c Chart) string { return "0 0 " + i64(c.Width) + " " + i64(c.Height) }

// i64 is an integer as text, for SVG coordinates.
func i64(n int64) string { return strconv.FormatInt(n, 10) }

// NumCol reports whether column i of t holds numbers: every row's cell i
// is marked "num". A numeric column's header is right-aligned with its
// figures; text columns (dates, names, results) keep theirs at the left.
func (t DataTable) NumCol(i int) bool {
	if i == 0 || len(t.Rows) == 0 {
		return false
	}
	for _, r := range t.Rows {
		if i >= len(r.Cells) || !hasClass(r.Cells[i].Class, "num") {
			return false
		}
	}
	return true
}

func hasClass(classes, c string) bool {
	for f := range strings.FieldsSeq(classes) {
		if f == c {
			return true
		}
	}
	return false
}
