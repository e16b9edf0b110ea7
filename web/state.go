package web

import (
	"context"
	"time"

	"github.com/amends/amends/report"
)

// currentState loads the state as of now; on a server that describes a
// past instant (Config.AsOf), what was not known yet then is left out.
func (s *Server) currentState(ctx context.Context, now time.Time) (report.State, error) {
	return s.reports.CurrentState(ctx, now, !s.cfg.AsOf.IsZero())
}
