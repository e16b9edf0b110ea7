package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// benchStatuspage is a Statuspage incidents.json of n incidents over 13
// years on 13 components, each with 3 to 5 updates, as a long-lived page
// has them: milliseconds, HTML in one body in three.
func benchStatuspage(n int) []byte {
	rnd := rand.New(rand.NewPCG(13, 2010))
	first := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Sub(first)
	statuses := []string{"degraded_performance", "partial_outage", "major_outage"}
	phases := []string{"investigating", "identified", "monitoring"}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	type aff struct {
		Code      string `json:"code"`
		Name      string `json:"name"`
		OldStatus string `json:"old_status"`
		NewStatus string `json:"new_status"`
	}
	type upd struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Body      string `json:"body"`
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
		DisplayAt string `json:"display_at"`
		Affected  []aff  `json:"affected_components"`
	}
	type inc struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Status    string `json:"status"`
		Impact    string `json:"impact"`
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
		StartedAt string `json:"started_at"`
		Updates   []upd  `json:"incident_updates"`
	}
	var list []inc
	for i := 0; i < n; i++ {
		start := first.Add(time.Duration(rnd.Int64N(int64(span)))).Add(time.Duration(rnd.IntN(1000)) * time.Millisecond)
		comp := fmt.Sprintf("comp%08d", rnd.IntN(13))
		st := statuses[rnd.IntN(3)]
		k := 2 + rnd.IntN(3)
		var ups []upd
		at := start
		for j := 0; j < k; j++ {
			u := upd{ID: fmt.Sprintf("u%d-%d", i, j), Status: phases[min(j, 2)], Body: fmt.Sprintf("Update %d of incident %d: we are working on it.", j, i),
				CreatedAt: ts(at), UpdatedAt: ts(at), DisplayAt: ts(at)}
			if j == 0 {
				u.Affected = []aff{{Code: comp, Name: "Component " + comp, OldStatus: "operational", NewStatus: st}}
			}
			if i%3 == 0 {
				u.Body += ` See <a href="https://example.com/status">the notes</a>.<br>Thanks.`
			}
			ups = append(ups, u)
			at = at.Add(time.Duration(5+rnd.IntN(60)) * time.Minute)
		}
		ups = append(ups, upd{ID: fmt.Sprintf("u%d-r", i), Status: "resolved", Body: "Resolved.", CreatedAt: ts(at), UpdatedAt: ts(at), DisplayAt: ts(at),
			Affected: []aff{{Code: comp, Name: "Component " + comp, OldStatus: st, NewStatus: "operational"}}})
		for a, b := 0, len(ups)-1; a < b; a, b = a+1, b-1 {
			ups[a], ups[b] = ups[b], ups[a]
		}
		list = append(list, inc{ID: fmt.Sprintf("inc%08d", i), Name: fmt.Sprintf("Incident %d", i), Status: "resolved", Impact: "minor",
			CreatedAt: ts(start), UpdatedAt: ts(at), StartedAt: ts(start), Updates: ups})
	}
	data, err := json.Marshal(map[string]any{"page": map[string]string{"id": "benchpage001", "name": "Bench"}, "incidents": list})
	if err != nil {
		panic(err)
	}
	return data
}

// BenchmarkImportStatuspage10k reads and records a Statuspage history of
// 10,000 incidents into a fresh database, as `amends import statuspage`
// does: parse, then one transaction with the daily uptime of every day.
// Besides the wall clock (ns/op) it reports the CPU seconds of the whole
// process (both cores) per import, in all (cpu-s) and in its two steps
// (parse-cpu-s, write-cpu-s), which a machine busy with other work
// stretches far less than the wall clock. Nothing here fails on time.
func BenchmarkImportStatuspage10k(b *testing.B) {
	data := benchStatuspage(10000)
	ctx := context.Background()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	dir := b.TempDir()
	n := 0
	var parseCPU, writeCPU time.Duration
	for b.Loop() {
		b.StopTimer()
		n++
		st, err := openStores(ctx, filepath.Join(dir, fmt.Sprintf("bench%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu0 := cpuTime()
		doc, err := incidents.ParseStatuspageDocs("bench", now, data)
		if err != nil {
			b.Fatal(err)
		}
		cpu1 := cpuTime()
		res, err := st.incidents.Import(ctx, audit.Named("bench"), doc.Batch, now)
		if err != nil || res.Incidents != 10000 {
			b.Fatal(res, err)
		}
		cpu2 := cpuTime()
		parseCPU, writeCPU = parseCPU+cpu1-cpu0, writeCPU+cpu2-cpu1
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric((parseCPU+writeCPU).Seconds()/float64(n), "cpu-s")
	b.ReportMetric(parseCPU.Seconds()/float64(n), "parse-cpu-s")
	b.ReportMetric(writeCPU.Seconds()/float64(n), "write-cpu-s")
}
