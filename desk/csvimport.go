package desk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/amends/amends/internal/errs"
)

// The CSV import of resources or charges: one file, told apart by its
// header; any bad row refuses the whole file, listing every bad row.

var (
	resourcesHeader = []string{"customer", "component", "count", "from", "to"}
	chargesHeader   = []string{"customer", "component", "month", "amount_minor", "currency"}
)

// ImportProblem is why a row of an imported file cannot be taken: the line
// its record starts on (from 1) and the reason, "field: message" when one
// field is at fault.
type ImportProblem struct {
	Line   int
	Reason string
}

// AccountImport is an imported file read: its rows, of resources or of
// charges, and the line each came from.
type AccountImport struct {
	Kind      string // "resources" or "charges", as the header says
	Resources []AccountResource
	Charges   []AccountCharge
	Lines     []int // by row, the line (from 1) its record starts on
}

// ParseAccountCSV reads a CSV file of resources (the header
// "customer,component,count,from,to"; from and to optional instants as
// ParseInstant reads them) or of charges
// ("customer,component,month,amount_minor,currency"; the amount in minor
// units, an empty currency the customer's) for Store.ImportAccountData. A
// leading byte order mark is skipped, the header's names are read without
// case or surrounding spaces, and line ends may be CRLF. accounts are the
// known customers and components the known component ids.
//
// The file is refused whole: with errs.Invalid on "file" when it has no
// header, another header or no rows, or with problems listing every bad
// row (a wrong number of fields, an unknown customer or component, a bad
// number, instant, month or currency) by its line. A row that is not valid
// CSV ends the reading, as the rows after it cannot be told apart reliably.
// The import is only returned when there are no problems.
func ParseAccountCSV(data []byte, accounts []Account, components []string) (AccountImport, []ImportProblem, error) {
	var im AccountImport
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return im, nil, errs.Invalidf("file", "has no header line: %v", err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	switch strings.Join(header, ",") {
	case strings.Join(resourcesHeader, ","):
		im.Kind = "resources"
	case strings.Join(chargesHeader, ","):
		im.Kind = "charges"
	default:
		return im, nil, errs.Invalidf("file", "line 1 must be the header %q (resources) or %q (charges), not %q",
			strings.Join(resourcesHeader, ","), strings.Join(chargesHeader, ","), strings.Join(header, ","))
	}
	byID := make(map[string]Account, len(accounts))
	for _, a := range accounts {
		byID[a.ID] = a
	}
	compIDs := make(map[string]bool, len(components))
	for _, id := range components {
		compIDs[id] = true
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
	var problems []ImportProblem
	bad := func(line int, err error) {
		msg := errs.MessageOf(err)
		if f := errs.FieldOf(err); f != "" {
			msg = f + ": " + msg
		}
		problems = append(problems, ImportProblem{Line: line, Reason: msg})
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A record that fails to parse has no field positions to ask
			// (FieldPos would panic); the error knows where its record
			// starts, and a quote left open runs to the end of the file.
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			bad(line, errs.Invalidf("", "is not valid CSV: %v", err))
			break // the reader cannot go on reliably
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(resourcesHeader) {
			bad(line, errs.Invalidf("", "has %d fields, not %d", len(rec), len(resourcesHeader)))
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
		if im.Kind == "resources" {
			res, err := ResourceFromText(known, a.ID, rec[1], rec[2], rec[3], rec[4])
			if err != nil {
				bad(line, err)
				continue
			}
			im.Resources = append(im.Resources, res)
		} else {
			ch, err := ChargeFromText(known, a, rec[1], rec[2], func() (int64, error) { return requiredWholeNumber("amount_minor", rec[3]) }, rec[4])
			if err != nil {
				bad(line, err)
				continue
			}
			im.Charges = append(im.Charges, ch)
		}
		im.Lines = append(im.Lines, line)
	}
	if len(problems) > 0 {
		return AccountImport{}, problems, nil
	}
	if len(im.Lines) == 0 {
		return im, nil, errs.Invalidf("file", "has a header but no rows")
	}
	return im, nil, nil
}

// importRow is the field path Store.ImportAccountData gives an error about
// one row: "resources[i].field" or "charges[i].field".
var importRow = regexp.MustCompile(`^(resources|charges)\[(\d+)\]\.?(.*)$`)

// Problem turns err, an error from Store.ImportAccountData about one of
// im's rows (changed since it was read: a customer's currency, say), into
// the problem of that row's line; false when err names no row of im.
func (im AccountImport) Problem(err error) (ImportProblem, bool) {
	m := importRow.FindStringSubmatch(errs.FieldOf(err))
	if m == nil {
		return ImportProblem{}, false
	}
	i, _ := strconv.Atoi(m[2])
	if i >= len(im.Lines) {
		return ImportProblem{}, false
	}
	return ImportProblem{Line: im.Lines[i], Reason: strings.TrimPrefix(m[3]+": ", ": ") + errs.MessageOf(err)}, true
}
