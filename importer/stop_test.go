package importer

import (
	"context"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/sbimport/sbimport/salesbyte"
	"github.com/sbimport/sbimport/sandbox"
)

// countingSender counts its calls and answers with answer(n), n from 1.
type countingSender struct {
	calls  atomic.Int32
	answer func(n int32) (salesbyte.Created, error)
}

func (c *countingSender) Create(ctx context.Context, e salesbyte.Endpoint, body map[string]any) (salesbyte.Created, error) {
	return c.answer(c.calls.Add(1))
}

func refused() error {
	return &salesbyte.Error{Outcome: salesbyte.Retry, Message: "the request was not sent",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
}

// An interrupt that comes before sending begins (while the sheet is read
// for the plan) sends nothing, opens no journal and writes no output.
func TestInterruptBeforeSendingSendsAndWritesNothing(t *testing.T) {
	for _, validate := range []bool{false, true} {
		e := newEnv(t, sandbox.Options{}, nil)
		e.customers(50)
		s := &countingSender{answer: func(int32) (salesbyte.Created, error) { return salesbyte.Created{ID: 1}, nil }}
		cfg := e.config()
		cfg.Sender = s
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		sum, err := runMode(ctx, cfg, validate)
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("validate=%v: err %v; want ErrInterrupted", validate, err)
		}
		if sum != nil && (!sum.Interrupted || sum.ExitCode() != 130) {
			t.Errorf("validate=%v: summary %+v; want interrupted, exit 130", validate, sum)
		}
		if n := s.calls.Load(); n != 0 {
			t.Errorf("validate=%v: %d requests sent after the interrupt", validate, n)
		}
		for _, p := range []string{DefaultOutput(e.input), JournalPath(DefaultOutput(e.input))} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("validate=%v: %s was written (%v)", validate, p, err)
			}
		}
	}
}

// A sheet that breaks off (an unclosed quote) stops validate with words of
// its own: no rows are "sent" and there is no journal.
func TestValidateReadErrorSpeaksOfValidate(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.input = e.write("k.csv", "Förnamn,Efternamn,E-post,Mobil\nAnna,S,a@example.se,0701234567\nBo,\"S,b@example.se,0701234568\nCe,S,c@example.se,0701234569\n")
	cfg := e.config()
	_, err := validateRun(context.Background(), cfg)
	var ie *InputError
	var re *ReadError
	if !errors.As(err, &ie) || !errors.As(err, &re) || !re.Validating {
		t.Fatalf("err %v; want an input error holding a *ReadError of validate", err)
	}
	if _, err := os.Stat(DefaultOutput(e.input)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("validate wrote an output after the sheet broke off (%v)", err)
	}
}

// Failed connections stop the run only before the server has answered
// at all: after an answer (here a 503) they are retried as ever.
func TestUnreachableOnlyBeforeAnyAnswer(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	e.customers(5)
	s := &countingSender{answer: func(n int32) (salesbyte.Created, error) {
		switch {
		case n == 1:
			return salesbyte.Created{}, &salesbyte.Error{Outcome: salesbyte.Retry, Status: 503, Message: "service unavailable"}
		case n <= 1+unreachableLimit+2:
			return salesbyte.Created{}, refused()
		}
		return salesbyte.Created{ID: int64(n), Status: 201}, nil
	}}
	cfg := e.config()
	cfg.Sender = s
	cfg.Concurrency = 1
	cfg.MaxAttempts = 20
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unreachable || sum.Stopped != nil || sum.Counts[Created] != 5 {
		t.Errorf("unreachable=%v stopped=%+v counts %v; want every row created", sum.Unreachable, sum.Stopped, sum.Counts)
	}

	// Before any answer, the same failures stop it.
	e2 := newEnv(t, sandbox.Options{}, nil)
	e2.customers(5)
	s2 := &countingSender{answer: func(int32) (salesbyte.Created, error) { return salesbyte.Created{}, refused() }}
	cfg = e2.config()
	cfg.Sender = s2
	cfg.Concurrency = 1
	cfg.MaxAttempts = 20
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Unreachable || sum.ExitCode() != 2 || sum.Counts[Skipped] != 5 || int(s2.calls.Load()) != unreachableLimit {
		t.Errorf("unreachable=%v exit %d counts %v after %d attempts; want stopped after %d, every row skipped, exit 2",
			sum.Unreachable, sum.ExitCode(), sum.Counts, s2.calls.Load(), unreachableLimit)
	}
}

// Only failures where the request certainly never left count as "could
// not connect": a reset or a timeout after sending may have created it.
func TestCouldNotConnect(t *testing.T) {
	cases := []struct {
		name string
		se   *salesbyte.Error
		want bool
	}{
		{"refused", refused().(*salesbyte.Error), true},
		{"dns", &salesbyte.Error{Outcome: salesbyte.Retry, Err: &net.DNSError{Name: "app.salesbyte.invalid", IsNotFound: true}}, true},
		{"tls handshake", &salesbyte.Error{Outcome: salesbyte.Retry, Err: errors.New("net/http: TLS handshake timeout")}, true},
		{"reset after sending", &salesbyte.Error{Outcome: salesbyte.Ambiguous, Err: syscall.ECONNRESET}, false},
		{"not fully sent", &salesbyte.Error{Outcome: salesbyte.Retry, Err: syscall.EPIPE}, false},
		{"503", &salesbyte.Error{Outcome: salesbyte.Retry, Status: 503}, false},
		{"401", &salesbyte.Error{Outcome: salesbyte.Rejected, Status: 401}, false},
	}
	for _, tc := range cases {
		if got := couldNotConnect(tc.se); got != tc.want {
			t.Errorf("%s: couldNotConnect = %v; want %v", tc.name, got, tc.want)
		}
	}
}
