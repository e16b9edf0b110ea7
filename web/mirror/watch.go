package mirror

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Revisioner tells the data revision, which every write raises.
type Revisioner interface {
	Revision(ctx context.Context) (int64, error)
}

// Watcher keeps a mirror current: it exports when the data revision has
// moved since the last export, and at least every Refresh for the pages
// that change with the clock (the "as of" line, maintenance that starts at
// a set time, the uptime bars' day).
type Watcher struct {
	Renderer Renderer
	Revision Revisioner
	Dir      string
	Options  Options
	Logger   *slog.Logger
	// Poll is how often the revision is read: 250 ms when zero. Writes
	// within one poll are exported together.
	Poll time.Duration
	// Refresh is the longest time between exports: a minute when zero.
	Refresh time.Duration
	// Exported, when set, is called after each export that succeeded.
	Exported func(Result)
	// Wake, when set, says that something may have changed: the revision
	// is read at once rather than at the next poll.
	Wake <-chan struct{}
}

// Run exports at once and then whenever needed, until ctx ends. A failed
// export is logged and tried again after a backoff (1 s, doubling, at most
// a minute), meanwhile the mirror keeps its last good version; Run never
// stops for an error.
func (w *Watcher) Run(ctx context.Context) {
	poll, refresh := w.Poll, w.Refresh
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	if refresh <= 0 {
		refresh = time.Minute
	}
	log := w.Logger
	if log == nil {
		log = slog.Default()
	}
	var (
		exported  int64 = -1
		last      time.Time
		backoff   time.Duration
		notBefore time.Time
	)
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if now := time.Now(); !now.Before(notBefore) {
			rev, err := w.Revision.Revision(ctx)
			if err == nil && rev == exported && now.Sub(last) < refresh {
				// Nothing to do.
			} else {
				if err == nil {
					var res Result
					res, err = w.export(ctx)
					if err == nil {
						exported, last, backoff = rev, now, 0
						log.Debug("mirror exported", "dir", w.Dir, "revision", rev, "files", res.Files, "reused", res.Reused, "took", res.Took)
						if w.Exported != nil {
							w.Exported(res)
						}
					}
				}
				if err != nil && ctx.Err() == nil {
					backoff = min(max(2*backoff, time.Second), time.Minute)
					notBefore = time.Now().Add(backoff)
					log.Error("mirror export failed; the mirror keeps its last version", "dir", w.Dir, "err", err, "retry_in", backoff)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.Wake:
		}
	}
}

// export is Export, with a panic turned into an error: the server that runs
// the watcher must not stop for its mirror.
func (w *Watcher) export(ctx context.Context) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("mirror: panic: %v", p)
		}
	}()
	return Export(ctx, w.Renderer, w.Dir, w.Options)
}
