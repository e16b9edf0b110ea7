package sqlite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/sla"
)

// A run of more lines than a block holds reads back exactly as it was
// stored, page by page under both filters, across block boundaries, and
// what approving it pays is computed from the same lines.
func TestRunLinesAcrossBlocks(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	const n = 2*blockLines + 301
	claims := []desk.ClaimStatus{desk.ClaimNotRequired, desk.ClaimInTime, desk.ClaimLate, desk.ClaimMissing}
	lines := make([]desk.RunLine, n)
	for i := range lines {
		l := desk.RunLine{Customer: fmt.Sprintf("c%05d", i/3), Service: []string{"ELB", "EC2", "EBS"}[i%3], Policy: "p", Currency: "USD",
			Downtime: "0", Uptime: "100.0000", Claim: claims[i%4], Reason: "no downtime", ChargesMinor: int64(1000 + i)}
		if i%7 == 0 || i%1000 == 999 {
			l.Downtime, l.Uptime, l.CreditPercent = fmt.Sprintf("%d.5", 3600+i), "99.8655", sla.MustPercent("10")
			l.CreditMinor, l.PayableMinor = l.ChargesMinor/10, l.ChargesMinor/10
			l.Reason = fmt.Sprintf("uptime 99.8655%% \t below 99.95%%\n«%d»", i)
			l.ClaimDeadline = time.Date(2013, 3, 1, 0, 0, 0, 0, time.UTC)
		}
		if i == n-1 {
			l.ChargesMinor, l.CreditMinor, l.PayableMinor = 1<<62, 1<<60, 1<<59
		}
		lines[i] = l
	}
	run, err := desk.NewMonthRun("2012-12", now, lines, sam.Person, now)
	if err != nil {
		t.Fatal(err)
	}
	run = must[desk.CreditRun](t)(st.CreateRun(ctx, sam, run, lines, now))
	var crediting []desk.RunLine
	for _, l := range lines {
		if l.CreditMinor != 0 {
			crediting = append(crediting, l)
		}
	}
	for _, tc := range []struct {
		filter desk.RunLineFilter
		want   []desk.RunLine
	}{{desk.AllLines, lines}, {desk.CreditingLines, crediting}} {
		for _, pg := range [][2]int{{0, n + 5}, {0, 50}, {blockLines - 3, 10}, {blockLines, 1}, {2*blockLines - 1, 500}, {n - 1, 10}, {len(tc.want) - 2, 7}, {len(tc.want), 3}, {n + 9, 3}} {
			got, total, err := st.RunLines(ctx, run.ID, tc.filter, pg[0], pg[1])
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want[min(pg[0], len(tc.want)):min(pg[0]+pg[1], len(tc.want))]
			if total != len(tc.want) || len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Errorf("filter %d, offset %d, limit %d: %d of %d lines, want %d of %d", tc.filter, pg[0], pg[1], len(got), total, len(want), len(tc.want))
			}
		}
	}
	out, err := st.Outstanding(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := desk.Outstanding(run, lines, map[desk.LedgerKey]desk.Held{})
	if err != nil || !reflect.DeepEqual(out, want) {
		t.Errorf("outstanding %+v, want %+v (%v)", out, want, err)
	}
}

// A run whose lines do not all encode is refused whole, whichever block
// the bad line is in, and nothing of it is stored.
func TestCreateRunRefusesALineInAnyBlock(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	const n = 9*blockLines + 5
	for _, bad := range []int{0, blockLines - 1, 4*blockLines + 7, n - 1} {
		lines := make([]desk.RunLine, n)
		for i := range lines {
			lines[i] = desk.RunLine{Customer: fmt.Sprintf("c%05d", i), Service: "ELB", Policy: "p", Currency: "USD", Downtime: "0", Uptime: "100.0000",
				Claim: desk.ClaimNotRequired, Reason: "no downtime"}
		}
		lines[bad].Claim = "maybe"
		run, err := desk.NewMonthRun("2012-12", now, lines, sam.Person, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateRun(ctx, sam, run, lines, now); err == nil {
			t.Errorf("a bad line at %d was stored", bad)
		}
	}
	if runs, total, err := st.Runs(ctx, 0, 10); err != nil || total != 0 || len(runs) != 0 {
		t.Errorf("runs stored: %d, %v", total, err)
	}
}

// A block that does not decode is an error, never lines.
func TestDecodeBlockRefusesDamage(t *testing.T) {
	data, _, err := encodeBlock([]desk.RunLine{{Customer: "acme", Service: "ELB", Claim: desk.ClaimNotRequired, PayableMinor: 5}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		if _, err := decodeBlock(data[:i], nil); err == nil {
			t.Errorf("a block cut at %d of %d bytes decoded", i, len(data))
		}
	}
	if _, err := decodeBlock(append(data, 0), nil); err == nil {
		t.Error("a block with a trailing byte decoded")
	}
	// A line of customer "a" whose reason is stored as reason with cuts,
	// and whose charges are 5 USD cents.
	oneLine := func(version byte, reason string, cuts uint64) []byte {
		b := []byte{version, 1, 2, 1, 'a'}
		b = binary.AppendUvarint(b, uint64(len(reason)))
		b = append(b, reason...)
		b = append(b, 0, 0, 0, 0, 0, 0, 0)
		b = binary.AppendUvarint(b, 1<<2|cuts)
		for _, v := range []int64{0, 5, 0, 0, 0} {
			b = binary.AppendVarint(b, v)
		}
		return b
	}
	if got, err := decodeBlock(oneLine(2, "uptime \x01% of \x00", cutUptime|cutCharges), nil); err != nil || got[0].Reason != "uptime a% of 0.05 a" {
		t.Errorf("a cut reason decoded as %v, %v", got, err)
	}
	for _, bad := range []struct {
		reason string
		cuts   uint64
	}{{"of \x00", cutUptime}, {"of \x00 \x00", cutCharges}, {"of", cutCharges}, {"\x01 of \x00", cutCharges}, {"\x01 of \x01", cutUptime}} {
		if _, err := decodeBlock(oneLine(2, bad.reason, bad.cuts), nil); err == nil {
			t.Errorf("reason %q with cuts %b decoded", bad.reason, bad.cuts)
		}
	}
	if _, err := decodeBlock(oneLine(3, "why", 0), nil); err == nil {
		t.Error("a block of version 3 decoded")
	}
	if _, _, err := encodeBlock([]desk.RunLine{{Customer: "acme", Claim: "maybe"}}); err == nil {
		t.Error("an unknown claim status was encoded")
	}
	if _, _, err := encodeBlock([]desk.RunLine{{Customer: "acme", Claim: desk.ClaimNotRequired, PayableMinor: -1}}); err == nil {
		t.Error("a negative payable amount was encoded")
	}
}

// A block is the format runblocks.go describes, byte for byte, for lines
// that share some fields with the line before and not others, reasons
// with and without the line's figures in them (or the bytes that mark
// them), and numbers of every size, by an encoder new or used before; and
// blocks of version 1, as runs stored before version 2 keep them, read
// back the same lines.
func TestEncodeBlockWritesTheFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	claims := []desk.ClaimStatus{desk.ClaimNotRequired, desk.ClaimInTime, desk.ClaimLate, desk.ClaimMissing}
	ints := []int64{0, 1, -1, 63, 64, -64, -65, 1 << 20, -1 << 40, math.MaxInt64, math.MinInt64, 250_000}
	var enc blockEncoder // one encoder and buffer for every block, as writeBlocks keeps them
	var buf []byte
	for _, n := range []int{blockLines, 1, 2, 7, blockLines} {
		lines := make([]desk.RunLine, n)
		for i := range lines {
			l := &lines[i]
			*l = desk.RunLine{Customer: "c" + strconv.Itoa(i/3), Service: pick("ELB", "EC2", "EBS"), Policy: pick("ELB", "elb-acme", ""),
				Currency: pick("USD", "EUR", "JPY"), Downtime: pick("0", "3600", "86400.5"), Uptime: pick("100.0000", "99.5000", ""),
				Claim: claims[rng.IntN(len(claims))], CreditPercent: sla.Percent(ints[rng.IntN(len(ints))]),
				ChargesMinor: ints[rng.IntN(len(ints))], CreditMinor: ints[rng.IntN(len(ints))], PayableMinor: max(0, ints[rng.IntN(len(ints))]),
				ClaimDeadline: time.Unix(ints[rng.IntN(5)]*1000, 0).UTC()}
			money := desk.FormatMoney(l.ChargesMinor, l.Currency)
			l.Reason = pick("", "why", "uptime "+strconv.Itoa(i), "uptime "+l.Uptime+"% below 99.95%: 10% of "+money,
				money+" twice: "+money+" and uptime "+l.Uptime+l.Uptime, "marked \x00 "+money, "marked \x01 "+l.Uptime, "«"+money+"»\n")
			if i > 0 && rng.IntN(2) == 0 {
				l.Customer, l.Downtime, l.Reason = lines[i-1].Customer, lines[i-1].Downtime, lines[i-1].Reason
			}
		}
		got, crediting, err := enc.encode(buf, lines)
		if err != nil {
			t.Fatal(err)
		}
		buf = got
		alone, _, _ := encodeBlock(lines)
		if !bytes.Equal(got, alone) {
			t.Errorf("%d lines: an encoder used before writes another block", n)
		}
		if len(alone) != cap(alone) {
			t.Errorf("%d lines: %d bytes in a slice of %d", n, len(alone), cap(alone))
		}
		want, wantCrediting := formatBlock(lines, blockVersion)
		if !bytes.Equal(got, want) || crediting != wantCrediting {
			t.Errorf("%d lines: the block differs from the format (%d and %d bytes, %d and %d crediting)", n, len(got), len(want), crediting, wantCrediting)
		}
		back, err := decodeBlock(got, nil)
		if err != nil || !reflect.DeepEqual(back, lines) {
			t.Errorf("%d lines: decoded %v", n, err)
		}
		old, _ := formatBlock(lines, 1)
		if back, err := decodeBlock(old, nil); err != nil || !reflect.DeepEqual(back, lines) {
			t.Errorf("%d lines: a version 1 block decoded %v", n, err)
		}
	}
}

// The reasons of a month's lines, which differ in their uptime and
// charges alone, are one string in a block.
func TestBlockCutsTheFiguresOutOfReasons(t *testing.T) {
	lines := make([]desk.RunLine, blockLines)
	for i := range lines {
		l := desk.RunLine{Customer: "c" + strconv.Itoa(i), Service: "ELB", Currency: "USD", Uptime: fmt.Sprintf("99.%04d", i),
			Claim: desk.ClaimNotRequired, ChargesMinor: int64(100_000 + 7919*i)}
		l.Reason = "uptime " + l.Uptime + "% below 99.95%: 10% of " + desk.FormatMoney(l.ChargesMinor, l.Currency)
		lines[i] = l
	}
	data, _, err := encodeBlock(lines)
	if err != nil {
		t.Fatal(err)
	}
	_, strs, _, ok := readBlockStart(data, blockVersion, blockLines)
	if !ok {
		t.Fatal("the block does not read")
	}
	var reasons []string
	for _, s := range strs {
		if bytes.HasPrefix(s, []byte("uptime")) {
			reasons = append(reasons, string(s))
		}
	}
	if want := "uptime \x01% below 99.95%: 10% of \x00"; len(reasons) != 1 || reasons[0] != want {
		t.Errorf("the block holds the reasons %q, want only %q", reasons, want)
	}
	if back, err := decodeBlock(data, nil); err != nil || !reflect.DeepEqual(back, lines) {
		t.Errorf("decoded %v", err)
	}
}

// formatBlock writes a block of lines as runblocks.go describes it for
// version, in the plainest way.
func formatBlock(lines []desk.RunLine, version byte) (data []byte, crediting int) {
	idx := map[string]uint64{}
	var strs []string
	var body []byte
	ref := func(s string) uint64 {
		i, ok := idx[s]
		if !ok {
			i = uint64(len(strs))
			idx[s] = i
			strs = append(strs, s)
		}
		return i
	}
	for _, l := range lines {
		if l.CreditMinor != 0 {
			crediting++
		}
		for _, s := range []string{l.Customer, l.Service, l.Policy, l.Currency, l.Downtime, l.Uptime, string(l.Claim)} {
			body = binary.AppendUvarint(body, ref(s))
		}
		if version == 1 {
			body = binary.AppendUvarint(body, ref(l.Reason))
		} else {
			reason, cuts := l.Reason, uint64(0)
			if !strings.ContainsAny(reason, "\x00\x01") {
				if l.Uptime != "" && strings.Contains(reason, l.Uptime) {
					reason, cuts = strings.Replace(reason, l.Uptime, "\x01", 1), cuts|2
				}
				if money := desk.FormatMoney(l.ChargesMinor, l.Currency); strings.Contains(reason, money) {
					reason, cuts = strings.Replace(reason, money, "\x00", 1), cuts|1
				}
			}
			body = binary.AppendUvarint(body, ref(reason)<<2|cuts)
		}
		for _, v := range []int64{int64(l.CreditPercent), l.ChargesMinor, l.CreditMinor, l.PayableMinor, l.ClaimDeadline.Unix()} {
			body = binary.AppendVarint(body, v)
		}
	}
	data = append(data, version)
	data = binary.AppendUvarint(data, uint64(len(lines)))
	data = binary.AppendUvarint(data, uint64(len(strs)))
	for _, s := range strs {
		data = binary.AppendUvarint(data, uint64(len(s)))
		data = append(data, s...)
	}
	return append(data, body...), crediting
}

// MonthData reads its two halves on two connections at once; while
// imports add a resource and a charge together, every picture it returns
// holds as many of one as of the other.
func TestMonthDataIsOnePictureUnderWrites(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	done := make(chan error)
	go func() {
		var err error
		for i := range 40 {
			comp := fmt.Sprintf("ec2-%d", i)
			err = st.ImportAccountData(ctx, sam, []desk.AccountResource{{Customer: "acme", Component: comp, Count: 1}},
				[]desk.AccountCharge{{Customer: "acme", Component: comp, Month: "2012-12", AmountMinor: 100}}, now)
			if err != nil {
				break
			}
		}
		done <- err
	}()
	for reading := true; reading; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			reading = false
		default:
		}
		d, err := st.MonthData(ctx, "2012-12")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Resources) != len(d.Charges) || len(d.Accounts) != 2 || len(d.Policies) != 1 {
			t.Fatalf("%d resources, %d charges, %d accounts, %d policies", len(d.Resources), len(d.Charges), len(d.Accounts), len(d.Policies))
		}
		for _, ch := range d.Charges {
			if ch.Currency == "" {
				t.Fatalf("charge %+v without its currency", ch)
			}
		}
	}
}
