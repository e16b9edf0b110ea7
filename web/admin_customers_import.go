package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The CSV import of resources or charges: the upload and its size limit
// here, the reading in desk.ParseAccountCSV; any bad row refuses the whole
// file, listing every bad row.

const maxImportBytes = 5 << 20

// handleImportForm shows "/admin/customers/import".
func (s *Server) handleImportForm(c echo.Context) error {
	return s.render(c, http.StatusOK, templates.CustomerImport(templates.CustomerImportPage{Page: s.page(c, "Import resources or charges", "")}))
}

func (s *Server) importError(c echo.Context, err error, problems []templates.ImportProblem) error {
	v := templates.CustomerImportPage{Page: s.page(c, "Import resources or charges", ""), Problems: problems}
	status := http.StatusUnprocessableEntity
	if err != nil {
		v.Error = form.Error(err, nil)
		status = statusOf(err)
	}
	return s.render(c, status, templates.CustomerImport(v))
}

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
	ctx := c.Request().Context()
	accounts, err := s.desk.Accounts(ctx)
	if err != nil {
		return err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, len(components))
	for i, comp := range components {
		ids[i] = comp.ID
	}
	im, problems, err := desk.ParseAccountCSV(data, accounts, ids)
	if err != nil {
		return s.importError(c, err, nil)
	}
	if len(problems) > 0 {
		return s.importError(c, nil, importProblems(problems...))
	}
	if err := s.desk.ImportAccountData(ctx, by(c), im.Resources, im.Charges, s.now()); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		// Changed meanwhile (a customer's currency, say): name the row.
		if p, ok := im.Problem(err); ok {
			return s.importError(c, nil, importProblems(p))
		}
		return s.importError(c, err, nil)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/customers?imported=%s&n=%d", im.Kind, len(im.Lines)))
}

// importProblems shows list on the import page.
func importProblems(list ...desk.ImportProblem) []templates.ImportProblem {
	out := make([]templates.ImportProblem, len(list))
	for i, p := range list {
		out[i] = templates.ImportProblem{Line: p.Line, Reason: p.Reason}
	}
	return out
}
