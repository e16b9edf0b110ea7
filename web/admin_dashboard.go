package web

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

// readDashFilter reads ?month=YYYY-MM&service=&region=&component= (each
// optional); report.Reports.Dashboard refuses a service, region or
// component not in the catalog, naming its field.
func (s *Server) readDashFilter(c echo.Context) (dashFilter, error) {
	m, err := parseMonth("month", c.QueryParam("month"), s.publicNow())
	if err != nil {
		return dashFilter{}, err
	}
	return dashFilter{month: m, service: c.QueryParam("service"), region: c.QueryParam("region"), component: c.QueryParam("component")}, nil
}

// handleDashboard shows "/admin/dashboard" (manager and above).
func (s *Server) handleDashboard(c echo.Context) error {
	f, err := s.readDashFilter(c)
	if err != nil {
		return err
	}
	v, err := s.dashboardView(c.Request().Context(), s.page(c, "SLA dashboard", ""), f, s.publicNow())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Dashboard(v))
}

// handleDashboardCSV serves "/admin/dashboard.csv?table=ID&...": one of
// the dashboard's tables (budget, burn, history, credits, costly, incidents,
// chart-N-table) as CSV, cell for cell as the page shows it.
func (s *Server) handleDashboardCSV(c echo.Context) error {
	f, err := s.readDashFilter(c)
	if err != nil {
		return err
	}
	v, err := s.dashboardView(c.Request().Context(), s.page(c, "SLA dashboard", ""), f, s.publicNow())
	if err != nil {
		return err
	}
	tables := []templates.DataTable{v.Budget, v.Burn, v.History, v.Credits, v.Costly, v.Incidents}
	for _, ch := range v.Charts {
		tables = append(tables, ch.Table)
	}
	return writeTableCSV(c, tables, "dashboard-"+v.Month)
}

// handleSLAReport shows "/admin/reports/sla?service=&month=".
func (s *Server) handleSLAReport(c echo.Context) error {
	v, err := s.reportFor(c)
	if err != nil {
		return err
	}
	if v.Customers, err = s.customerPicker(c.Request().Context(), "Choose a customer", ""); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Report(v))
}

// handleSLAReportCSV serves "/admin/reports/sla.csv?table=figures|credits&...".
func (s *Server) handleSLAReportCSV(c echo.Context) error {
	v, err := s.reportFor(c)
	if err != nil {
		return err
	}
	return writeTableCSV(c, []templates.DataTable{v.Figures, v.Credits}, "sla-report")
}

func (s *Server) reportFor(c echo.Context) (templates.ReportPage, error) {
	now := s.publicNow()
	m, err := parseMonth("month", c.QueryParam("month"), now)
	if err != nil {
		return templates.ReportPage{}, err
	}
	return s.reportView(c.Request().Context(), s.page(c, "SLA report", ""), c.QueryParam("service"), m, now)
}

// writeTableCSV writes the table named by ?table= as CSV: the header row,
// then every row's cells (see tableCSVRecord). errs.Invalid on "table" for
// another name.
func writeTableCSV(c echo.Context, tables []templates.DataTable, name string) error {
	id := c.QueryParam("table")
	for _, t := range tables {
		if t.ID != id {
			continue
		}
		var buf bytes.Buffer
		w := newCSVWriter(&buf)
		w.Write(t.Head)
		for _, r := range t.Rows {
			w.Write(tableCSVRecord(r.Cells))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+"-"+t.ID+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
	return errs.Invalidf("table", "%q is not a table of this page", id)
}

// tableCSVRecord is a table row's CSV record: each cell's text with its
// mark in words ("99.79% (missed)"), those of text cells through csvText;
// a number cell (whose Class has "num", as the "num missed" of a negative
// budget has) is written as it is.
func tableCSVRecord(cells []templates.DataCell) []string {
	rec := make([]string, len(cells))
	for i, cell := range cells {
		rec[i] = cell.Text + cell.MarkText()
		if !slices.Contains(strings.Fields(cell.Class), "num") {
			rec[i] = csvText(rec[i])
		}
	}
	return rec
}
