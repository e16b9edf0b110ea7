package api

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// maxScenarioBody bounds a scenario posted for evaluation: large enough for
// a provider's whole customer base (a 100,000-customer month is about 20 MiB).
const maxScenarioBody = 256 << 20

// EvaluateSLA is POST /api/v1/sla/evaluate: the spec's scenario JSON in,
// its result out, exactly as `amends sla evaluate` prints it. A scenario
// without "as_of" is evaluated as of now. Bad input is 422 (400 if it is
// not JSON of the right shape) naming the field path.
func (h *Handler) EvaluateSLA(c echo.Context) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxScenarioBody)
	scenario, err := sla.DecodeScenario(bufio.NewReaderSize(body, 1<<20))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("the scenario is larger than %d bytes", maxScenarioBody)}
		}
		return err
	}
	if scenario.AsOf.IsZero() {
		scenario.AsOf = h.now()
	}
	result, err := sla.Evaluate(scenario)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c.Response().WriteHeader(http.StatusOK)
	w := bufio.NewWriterSize(c.Response(), 1<<16)
	if err := result.WriteJSON(w); err != nil {
		return err
	}
	return w.Flush()
}
