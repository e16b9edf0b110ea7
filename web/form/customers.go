package form

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// The customers an incident form names per component: a textarea
// ("customers.<component>") of lines "customer-id[, affected resources]",
// or the same as an uploaded CSV file ("customers_file.<component>"), as
// a billing system exports it (a first line "customer,affected_resources"
// is a header and skipped).

// maxCustomersFile bounds one uploaded customers file (the form's body
// limit is 1 MB anyway).
const maxCustomersFile = 1 << 20

// customersInput returns the customer lines given for component id: the
// textarea's text, or the uploaded file's. errs.Invalid on
// "customers.<id>" when both are given or the file cannot be read.
func customersInput(c echo.Context, id string) (string, error) {
	text := c.FormValue("customers." + id)
	mf := c.Request().MultipartForm
	if mf == nil {
		return text, nil
	}
	var file string
	for _, fh := range mf.File["customers_file."+id] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the browser sends an empty part when no file is chosen
		}
		if fh.Size > maxCustomersFile {
			return text, errs.Invalidf("customers."+id, "the file %s is larger than 1 MiB", fh.Filename)
		}
		f, err := fh.Open()
		if err != nil {
			return text, errs.Invalidf("customers."+id, "the file %s could not be read: %v", fh.Filename, err)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxCustomersFile+1))
		f.Close()
		if err != nil {
			return text, errs.Invalidf("customers."+id, "the file %s could not be read: %v", fh.Filename, err)
		}
		file += string(b)
	}
	if file == "" {
		return text, nil
	}
	if strings.TrimSpace(text) != "" {
		return text, errs.Invalidf("customers."+id, "give the customers in the box or as a file, not both")
	}
	return file, nil
}

// parseCustomerLines reads customer lines: each "customer-id" or
// "customer-id, affected resources" (a whole number of 0 or more; absent
// means all of the customer's resources in the component). Blank lines
// are skipped, and a first line "customer,affected_resources" is a
// header. It returns the customers and the line (from 1) of each. Errors
// are messages that start with the line; the caller names the field.
func parseCustomerLines(text string) ([]incidents.AffectedCustomer, []int, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.LazyQuotes = true
	var out []incidents.AffectedCustomer
	var lines []int
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("line %d: %v", pe.Line, pe.Err)
			}
			return nil, nil, err
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first && strings.EqualFold(rec[0], "customer") && (len(rec) == 1 || len(rec) == 2 && strings.EqualFold(rec[1], "affected_resources")) {
			continue
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // a line of spaces
		}
		if len(rec) > 2 {
			return nil, nil, fmt.Errorf("line %d: has %d values; write customer-id, or customer-id, affected resources", line, len(rec))
		}
		ac := incidents.AffectedCustomer{Customer: rec[0]}
		if len(rec) == 2 && rec[1] != "" {
			n, err := strconv.ParseInt(rec[1], 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: affected resources %q is not a whole number", line, rec[1])
			}
			ac.AffectedResources = &n
		}
		out = append(out, ac)
		lines = append(lines, line)
	}
	return out, lines, nil
}

// customerLinesText is how the form shows customers: one per line,
// "customer-id" or "customer-id, affected resources".
func customerLinesText(list []incidents.AffectedCustomer) string {
	var b strings.Builder
	for _, ac := range list {
		b.WriteString(ac.Customer)
		if ac.AffectedResources != nil {
			b.WriteString(", " + strconv.FormatInt(*ac.AffectedResources, 10))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// sameCustomers reports whether a and b name the same customers with the
// same counts, in the same order.
func sameCustomers(a, b []incidents.AffectedCustomer) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Customer != b[i].Customer || (a[i].AffectedResources == nil) != (b[i].AffectedResources == nil) ||
			a[i].AffectedResources != nil && *a[i].AffectedResources != *b[i].AffectedResources {
			return false
		}
	}
	return true
}
