package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

// The CSV import of resources or charges: one file, told apart by its
// header; any bad row refuses the whole file, listing every bad row.

const maxImportBytes = 5 << 20

var (
	resourcesHeader = []string{"customer", "component", "count", "from", "to"}
	chargesHeader   = []string{"customer", "component", "month", "amount_minor", "currency"}
)

// handleImportForm shows "/admin/customers/import".
func (s *Server) handleImportForm(c echo.Context) error {
	return s.render(c, http.StatusOK, templates.CustomerImport(templates.CustomerImportPage{Page: s.page(c, "Import resources or charges", "")}))
}

func (s *Server) importError(c echo.Context, err error, problems []templates.ImportProblem) error {
	v := templates.CustomerImportPage{Page: s.page(c, "Import resources or charges", ""), Problems: problems}
	status := http.StatusUnprocessableEntity
	if err != nil {
		v.Error = formError(err, nil)
		status = statusOf(err)
	}
	return s.render(c, status, templates.CustomerImport(v))
}

var importRow = regexp.MustCompile(`^(resources|charges)\[(\d+)\]\.?(.*)$`)

// handleImport imports one CSV of resources or charges (support and above).
func (s *Server) handleImport(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return s.importError(c, errs.Invalidf("file", "choose a CSV file to upload"), nil)
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return s.importError(c, errs.Invalidf("file", "is larger than 5 MiB"), nil)
		}
		return s.importError(c, errs.Invalidf("file", "could not be read: %v", err), nil)
	}
	if fh.Size > maxImportBytes {
		return s.importError(c, errs.Invalidf("file", "is %d bytes, larger than 5 MiB", fh.Size), nil)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxImportBytes {
		return s.importError(c, errs.Invalidf("file", "is larger than 5 MiB"), nil)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return s.importError(c, errs.Invalidf("file", "has no header line: %v", err), nil)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	kind := ""
	switch strings.Join(header, ",") {
	case strings.Join(resourcesHeader, ","):
		kind = "resources"
	case strings.Join(chargesHeader, ","):
		kind = "charges"
	default:
		return s.importError(c, errs.Invalidf("file", "line 1 must be the header %q (resources) or %q (charges), not %q",
			strings.Join(resourcesHeader, ","), strings.Join(chargesHeader, ","), strings.Join(header, ",")), nil)
	}
	ctx := c.Request().Context()
	accounts, err := s.desk.Accounts(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]desk.Account, len(accounts))
	for _, a := range accounts {
		byID[a.ID] = a
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	compIDs := make(map[string]bool, len(components))
	for _, comp := range components {
		compIDs[comp.ID] = true
	}
	known := func(field, id string) error {
		if id == "" {
			return errs.Invalidf(field, "is required")
		}
		if !compIDs[id] {
			return errs.Invalidf(field, "unknown component %q", id)
		}
		return nil
	}
	var problems []templates.ImportProblem
	var lineOf []int
	var resources []desk.AccountResource
	var charges []desk.AccountCharge
	bad := func(line int, err error) {
		msg := errs.MessageOf(err)
		if f := errs.FieldOf(err); f != "" {
			msg = f + ": " + msg
		}
		problems = append(problems, templates.ImportProblem{Line: line, Reason: msg})
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				if pe.Err == csv.ErrFieldCount {
					bad(line, errs.Invalidf("", "has %d fields, not 5", len(rec)))
					continue
				}
			}
			bad(line, errs.Invalidf("", "is not valid CSV: %v", err))
			break // the reader cannot go on reliably
		}
		if len(rec) != 5 {
			bad(line, errs.Invalidf("", "has %d fields, not 5", len(rec)))
			continue
		}
		customer := strings.TrimSpace(rec[0])
		a, ok := byID[customer]
		if !ok {
			if customer == "" {
				bad(line, errs.Invalidf("customer", "is required"))
			} else {
				bad(line, errs.Invalidf("customer", "unknown customer %q", customer))
			}
			continue
		}
		if kind == "resources" {
			res, err := s.resourceInput(known, a.ID, rec[1], rec[2], rec[3], rec[4])
			if err != nil {
				bad(line, err)
				continue
			}
			resources = append(resources, res)
		} else {
			ch, err := s.chargeInput(known, a, rec[1], rec[2], func() (int64, error) { return minorUnits("amount_minor", rec[3]) }, rec[4])
			if err != nil {
				bad(line, err)
				continue
			}
			charges = append(charges, ch)
		}
		lineOf = append(lineOf, line)
	}
	if len(problems) > 0 {
		return s.importError(c, nil, problems)
	}
	if len(lineOf) == 0 {
		return s.importError(c, errs.Invalidf("file", "has a header but no rows"), nil)
	}
	if err := s.desk.ImportAccountData(ctx, by(c), resources, charges, s.now()); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		// Changed meanwhile (a customer's currency, say): name the row.
		if m := importRow.FindStringSubmatch(errs.FieldOf(err)); m != nil {
			i, _ := strconv.Atoi(m[2])
			if i < len(lineOf) {
				return s.importError(c, nil, []templates.ImportProblem{{Line: lineOf[i], Reason: strings.TrimPrefix(m[3]+": ", ": ") + errs.MessageOf(err)}})
			}
		}
		return s.importError(c, err, nil)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/customers?imported=%s&n=%d", kind, len(lineOf)))
}

// minorUnits reads an amount in minor units, as a CSV import gives it:
// errs.Invalid on field when empty or not a whole number.
func minorUnits(field, text string) (int64, error) {
	if strings.TrimSpace(text) == "" {
		return 0, errs.Invalidf(field, "is required")
	}
	return formInt(field, text)
}
