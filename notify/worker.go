package notify

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
)

// Sender sends one job: an e-mail or a webhook request. It returns what
// the other side answered; a nil Err means the message was accepted.
type Sender interface {
	Send(ctx context.Context, job Job) Result
}

// MaintenanceSource lists maintenance windows, for the events that the
// clock causes; incidents.Store is one.
type MaintenanceSource interface {
	MaintenancesBetween(ctx context.Context, from, to time.Time) ([]incidents.Maintenance, error)
}

// IncidentSource lists incidents, for the relay that makes sure every live
// incident write reaches the outbox; incidents.Store is one.
type IncidentSource interface {
	IncidentsBetween(ctx context.Context, from, to time.Time) ([]incidents.Incident, error)
}

// NoticeQueue holds the personal notices that approved batches queued,
// for the worker to send with the same Sender, retries and leases as the
// outbox; desk.Store is one.
type NoticeQueue interface {
	ClaimNoticeMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]desk.NoticeMessage, error)
	FinishNoticeMessage(ctx context.Context, m desk.NoticeMessage, failure string, next *time.Time, now time.Time) error
}

// relayWindow is how far back the relay looks for incident writes whose
// events may not have reached the outbox.
const relayWindow = 24 * time.Hour

// WorkerOptions configure a Worker; zero fields take the defaults.
type WorkerOptions struct {
	// Now is the clock (time.Now).
	Now func() time.Time
	// Concurrency is how many sends run at once (4).
	Concurrency int
	// Batch is how many deliveries one claim takes (32).
	Batch int
	// Lease is how long a claimed delivery stays claimed; after it, a
	// worker that died is assumed gone and the delivery is due again
	// (2 minutes).
	Lease time.Duration
	// Poll is how often Run looks for due deliveries without a wake-up (2 s).
	Poll time.Duration
	// SendTimeout bounds one send (30 s).
	SendTimeout time.Duration
	// Maintenances, if set, is watched for windows that start or end.
	Maintenances MaintenanceSource
	// Incidents, if set, is read by the relay for incident events that a
	// crash kept from the outbox (see Worker.incidentEvents).
	Incidents IncidentSource
	// Messages, if set, is asked every pass for the messages to the team
	// that should be queued by now (the approvals waiting); each key is
	// queued once, so a message missed by a crash is queued on the next
	// pass and never twice.
	Messages MessageSource
	// Notices, if set, is drained like the outbox: each approved notice
	// is sent once under its delivery id (again only if a worker stopped
	// mid-send, under the same id).
	Notices NoticeQueue
	// Random returns 0..n-1 for the backoff jitter (math/rand/v2).
	Random func(n int64) int64
	Logger *slog.Logger
}

// Worker drains the outbox: it claims due deliveries, sends them with
// bounded concurrency, and records every attempt; failures are retried
// with Backoff until GiveUpAfter. It also emits maintenance.started and
// maintenance.completed when the clock crosses a window's edges.
type Worker struct {
	store  Store
	sender Sender
	opts   WorkerOptions
	wake   chan struct{}
}

// NewWorker returns a worker over store that sends with sender.
func NewWorker(store Store, sender Sender, opts WorkerOptions) *Worker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Batch <= 0 {
		opts.Batch = 32
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 30 * time.Second
	}
	if opts.Random == nil {
		opts.Random = rand.Int64N
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Worker{store: store, sender: sender, opts: opts, wake: make(chan struct{}, 1)}
}

// Wake makes a running worker look for due deliveries now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends, then returns once the sends in flight have
// finished and been recorded.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.opts.Poll)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.opts.Logger.Error("notify worker", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-t.C:
		}
	}
}

// maxBatches bounds one pass, so that a pass always ends.
const maxBatches = 20

// RunOnce makes one pass: it emits the maintenance events the clock has
// caused, then claims and sends what is due, and returns how many
// deliveries it attempted.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.opts.Now().UTC().Truncate(time.Second)
	if err := w.maintenanceEvents(ctx, now); err != nil {
		return 0, err
	}
	if err := w.incidentEvents(ctx, now); err != nil {
		return 0, err
	}
	if w.opts.Messages != nil {
		// A failure here is retried next pass and holds up no delivery.
		if err := w.queueMessages(ctx, now); err != nil && ctx.Err() == nil {
			w.opts.Logger.Error("notify: messages to the team", "err", err)
		}
	}
	done := 0
	for range maxBatches {
		if ctx.Err() != nil {
			return done, nil
		}
		jobs, err := w.store.Claim(ctx, w.opts.Now().UTC().Truncate(time.Second), w.opts.Lease, w.opts.Batch)
		if err != nil {
			return done, err
		}
		w.sendAll(ctx, jobs)
		done += len(jobs)
		if len(jobs) < w.opts.Batch {
			break
		}
	}
	if w.opts.Notices == nil {
		return done, nil
	}
	for range maxBatches {
		if ctx.Err() != nil {
			return done, nil
		}
		msgs, err := w.opts.Notices.ClaimNoticeMessages(ctx, w.opts.Now().UTC().Truncate(time.Second), w.opts.Lease, w.opts.Batch)
		if err != nil {
			return done, err
		}
		jobs := make([]Job, len(msgs))
		for i := range msgs {
			jobs[i] = NoticeJob(msgs[i])
		}
		w.sendAll(ctx, jobs)
		done += len(jobs)
		if len(jobs) < w.opts.Batch {
			break
		}
	}
	return done, nil
}

// queueMessages queues the messages to the team that w's MessageSource
// offers and the outbox has not had under their keys.
func (w *Worker) queueMessages(ctx context.Context, now time.Time) error {
	msgs, err := w.opts.Messages(ctx, now)
	if err != nil || len(msgs) == 0 {
		return err
	}
	_, err = w.store.QueueMessages(ctx, msgs, now)
	return err
}

// NoticeJob is the job that sends m to its contact: its delivery id is
// m's, and its channel m's; a webhook is signed with m's Secret.
func NoticeJob(m desk.NoticeMessage) Job {
	j := Job{Notice: &m, Claim: m.Claim}
	j.Delivery = Delivery{ID: m.DeliveryID, Kind: KindNotice, State: Sending, Attempts: m.Attempts}
	if m.QueuedAt != nil {
		j.Delivery.CreatedAt, j.Delivery.NextAt = *m.QueuedAt, *m.QueuedAt
	}
	j.Subscriber = Subscriber{Channel: Channel(m.Channel), Address: m.Contact, Secret: m.Secret}
	return j
}

func (w *Worker) maintenanceEvents(ctx context.Context, now time.Time) error {
	if w.opts.Maintenances == nil {
		return nil
	}
	list, err := w.opts.Maintenances.MaintenancesBetween(ctx, now.Add(-24*time.Hour), now.Add(time.Second))
	if err != nil {
		return err
	}
	for _, m := range list {
		for _, ev := range MaintenanceTransitions(m, now) {
			if _, err := w.store.Publish(ctx, ev, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// incidentEvents relays incident writes to the outbox. Handlers publish
// each event right after their write commits; a crash between the two
// would lose it, so every pass also publishes, under the same keys (a no-op
// where the handler did), the event of every update recorded in the last
// relayWindow. An update recorded more than relayWindow after the instant
// it describes (the demo loader's and an import's history) is history, not
// news, and is left out.
//
// The incidents are listed by the instants they describe, which may be up
// to relayWindow before they were recorded: an update recorded since
// "since" that is news is at or after since-relayWindow, and so is the end
// of its incident, so listing from a second before that misses none.
func (w *Worker) incidentEvents(ctx context.Context, now time.Time) error {
	if w.opts.Incidents == nil {
		return nil
	}
	since := now.Add(-relayWindow)
	list, err := w.opts.Incidents.IncidentsBetween(ctx, since.Add(-relayWindow-time.Second), now.Add(time.Second))
	if err != nil {
		return err
	}
	for _, inc := range list {
		for _, ev := range IncidentEvents(inc, since) {
			if _, err := w.store.Publish(ctx, ev, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// sendAll sends jobs, at most Concurrency at a time. Sends and their
// records outlive ctx (bounded by SendTimeout), so a stop never leaves a
// message sent but unrecorded.
func (w *Worker) sendAll(ctx context.Context, jobs []Job) {
	sem := make(chan struct{}, w.opts.Concurrency)
	var wg sync.WaitGroup
	keep := context.WithoutCancel(ctx)
	for _, job := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			w.sendOne(keep, job)
		}()
	}
	wg.Wait()
}

func (w *Worker) sendOne(ctx context.Context, job Job) {
	sctx, cancel := context.WithTimeout(ctx, w.opts.SendTimeout)
	r := w.sender.Send(sctx, job)
	cancel()
	now := w.opts.Now().UTC().Truncate(time.Second)
	var next *time.Time
	attempt := job.Delivery.Attempts + 1
	if r.Err != nil && now.Sub(job.Delivery.CreatedAt) < GiveUpAfter {
		t := now.Add(Backoff(attempt, w.opts.Random))
		next = &t
	}
	log := w.opts.Logger.With("delivery", job.Delivery.ID, "kind", job.Delivery.Kind, "subscriber", job.Subscriber.ID,
		"attempt", attempt, "code", r.Code, "duration", r.Duration)
	switch {
	case r.Err == nil:
		log.Info("notify: delivered")
	case next != nil:
		log.Warn("notify: delivery failed, will retry", "err", r.Err, "next", *next)
	default:
		log.Error("notify: delivery failed, giving up", "err", r.Err)
	}
	if job.Notice != nil {
		failure := ""
		if r.Err != nil {
			failure = r.Err.Error()
		}
		if err := w.opts.Notices.FinishNoticeMessage(ctx, *job.Notice, failure, next, now); err != nil {
			log.Error("notify: recording the attempt", "err", err)
		}
		return
	}
	if err := w.store.Finish(ctx, job, r, next, now); err != nil {
		log.Error("notify: recording the attempt", "err", err)
	}
}
