package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sbimport/sbimport/sandbox"
	"github.com/sbimport/sbimport/sheet"
)

// chromium finds a Chromium or Chrome to drive: $SBIMPORT_CHROMIUM, else
// the usual names on $PATH.
func chromium() string {
	if p := os.Getenv("SBIMPORT_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// browserCtx starts a headless Chromium for one test, at 1280×800, or
// skips loudly when there is none (CI installs it: there it fails).
func browserCtx(t *testing.T) context.Context {
	t.Helper()
	exe := chromium()
	if exe == "" {
		msg := "NO CHROMIUM: the browser tests did not run. Install it (apt-get install -y chromium) or set SBIMPORT_CHROMIUM; the handler tests still cover every endpoint."
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		fmt.Fprintln(os.Stderr, "\n*** "+msg+" ***")
		t.Skip(msg)
	}
	// Chromium's helper processes may still write to the profile for a
	// moment after it exits: the folder is removed without t.TempDir's
	// strictness.
	profile, err := os.MkdirTemp("", "sbimport-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 800),
		chromedp.Flag("lang", "sv-SE"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelC()
		cancelA()
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	open(t, ctx, "Chromium ("+exe+")")
	return ctx
}

// open makes the browser or tab of ctx. The first Run ties it to its
// context, which therefore has no deadline: the wait is bounded here.
func open(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	started := make(chan error, 1)
	go func() { started <- chromedp.Run(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("%s did not start: %v", what, err)
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("%s did not start within 90 s", what)
	}
}

// newTab opens a tab in the browser of ctx; cancel closes it.
func newTab(t *testing.T, ctx context.Context) (context.Context, context.CancelFunc) {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	open(t, tab, "a new tab")
	return tab, cancel
}

// step runs actions with a deadline, failing with what was being done.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Run(sctx, actions...); err != nil {
		var page string
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		chromedp.Run(tctx, chromedp.Text("body", &page, chromedp.ByQuery))
		cancel()
		if len(page) > 3000 {
			page = page[:3000]
		}
		t.Fatalf("%s: %v\nthe page said:\n%s", what, err, page)
	}
}

// screenshot saves what the browser shows under dir (the test's folder,
// or $SBIMPORT_UI_SCREENSHOTS to refresh docs/ui).
func screenshot(t *testing.T, ctx context.Context, dir, name, scrollTo string) {
	t.Helper()
	var shot []byte
	step(t, ctx, "screenshot "+name, chromedp.ScrollIntoView(scrollTo, chromedp.ByQuery), chromedp.CaptureScreenshot(&shot))
	if os.Getenv("SBIMPORT_UI_SCREENSHOTS") != "" {
		shot = smallPNG(t, shot)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// smallPNG re-encodes a screenshot with its 64 most frequent colours, so
// the pictures kept for the README stay small.
func smallPNG(t *testing.T, b []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	count := map[color.RGBA]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colors := slices.SortedFunc(maps.Keys(count), func(a, b color.RGBA) int { return count[b] - count[a] })
	pal := color.Palette{}
	for _, c := range colors[:min(64, len(colors))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(bounds, pal)
	draw.Draw(out, bounds, img, bounds.Min, draw.Src)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// setSelect chooses a value in a <select> as a person does, with the
// change event the page listens for.
func setSelect(sel, value string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})); return e.value; })()`, sel, value), nil)
}

// poll waits until expr is true; step's deadline bounds it.
func poll(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(85*time.Second))
}

// waitText waits until the element's text contains want.
func waitText(sel, want string) chromedp.Action {
	return poll(fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent.includes(%q)`, sel, want))
}

// ready waits for the page to have wired its controls and read its state.
var ready = poll(`document.body.dataset.ready === "1"`)

// The path a person takes, unattended: choose a sheet, map it, see the
// preview and an invalid row, read the plan, confirm, watch the run finish
// against the sandbox, and download the output sheet.
func TestBrowserImportsASheetIntoTheSandbox(t *testing.T) {
	ctx := browserCtx(t)
	shots := os.Getenv("SBIMPORT_UI_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	downloads := t.TempDir()
	s, url := startPage(t, Options{})
	input := writeFile(t, "kunder.csv", kunderCSV(30))

	api := watchAPI(ctx)
	step(t, ctx, "open the page", browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads),
		chromedp.EmulateViewport(1280, 800), chromedp.Navigate(url), ready)
	var loc string
	step(t, ctx, "read the address", chromedp.Location(&loc))
	if strings.Contains(loc, "token") || strings.Contains(loc, s.Token()) {
		t.Errorf("the address bar still holds the token: %s", loc)
	}

	step(t, ctx, "1. choose the sheet", chromedp.SetUploadFiles("#file", []string{input}, chromedp.ByID),
		waitText("#sheet-status", "31 rows"), waitText("#first-rows", "Älvbolaget 1 AB"))
	screenshot(t, ctx, shots, "1-sheet", "#step-sheet")

	step(t, ctx, "2. choose quote and see the columns matched",
		chromedp.Click(`input[name=endpoint][value=quote]`, chromedp.ByQuery),
		poll(`(document.getElementById("f-customer_email-col") || {}).value === "E-post"`),
		chromedp.SendKeys("#f-quote_profile_id-value", "115", chromedp.ByID),
		setSelect("#f-send_type-value", "email"),
		setSelect("#key", "E-post"))
	screenshot(t, ctx, shots, "2-mapping", "#step-mapping")

	step(t, ctx, "3. see the preview and the invalid row",
		waitText("#counts", "31 rows: 29 valid, 1 invalid, 1 duplicate"),
		waitText("#bodies", "Åsa1 Öberg"), waitText("#bodies", "+46701234501"),
		setSelect("#row-filter", "invalid"),
		waitText("#row-checks", "kund2(at)exempel.se"), waitText("#row-checks", "E-post"))
	screenshot(t, ctx, shots, "3-preview", "#step-preview")

	var disabled bool
	step(t, ctx, "4. show the plan", chromedp.Click("#show-plan", chromedp.ByID),
		waitText("#plan", "29 quotes will be e-mailed to customers: send_type=email"),
		waitText("#send", "Send 29 quotes to the sandbox"),
		chromedp.SendKeys("#confirm", "28", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById("send").disabled`, &disabled))
	if !disabled {
		t.Fatal("the send button is enabled with the wrong number typed")
	}
	step(t, ctx, "4. confirm with the number", chromedp.Evaluate(`document.getElementById("confirm").value = ""`, nil),
		chromedp.SendKeys("#confirm", "29", chromedp.ByID),
		poll(`!document.getElementById("send").disabled`))
	screenshot(t, ctx, shots, "4-plan", "#step-plan")
	step(t, ctx, "5. send", chromedp.Click("#send", chromedp.ByID), chromedp.WaitVisible("#step-run", chromedp.ByID))

	step(t, ctx, "5. watch the run finish", waitText("#summary", "Done: 29 created, 0 failed, 1 invalid, 0 unknown, 1 skipped"),
		waitText("#run-line", "31 of 31 rows done"))
	screenshot(t, ctx, shots, "5-run", "#step-run")

	step(t, ctx, "6. the results", waitText("#results", "created"), setSelect("#status-filter", "invalid"),
		waitText("#results", "kund2(at)exempel.se"))
	screenshot(t, ctx, shots, "6-results", "#step-results")
	step(t, ctx, "6. download the output sheet", chromedp.Click("#download", chromedp.ByID))
	checkDownload(t, filepath.Join(downloads, "kunder-result.csv"))
	api.check(t, s.Token(), "/api/state", "/api/sheet", "/api/events", "/api/results", "/api/output")

	fixAndSendAgain(t, ctx, s, shots)
	var unlabelled []string
	step(t, ctx, "every control has a label", chromedp.Evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
		.filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !(e.tagName === "BUTTON" && e.textContent.trim()))
		.map((e) => e.outerHTML.slice(0, 80))`, &unlabelled))
	var controls int
	step(t, ctx, "count the controls", chromedp.Evaluate(`document.querySelectorAll("input, select, textarea, button").length`, &controls))
	if len(unlabelled) > 0 || controls < 50 {
		t.Fatalf("%d controls; without a label: %q", controls, unlabelled)
	}
	noTokenForOtherPorts(t, ctx, s)
}

// afterReload waits until expr is true in the page that replaced the
// current one; while the page is being replaced, the browser answers
// with errors, which are retried until a deadline.
func afterReload(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var ok bool
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := chromedp.Run(sctx, chromedp.Evaluate(expr, &ok))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so within 60 s (last: %v, %v)", what, ok, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// apiWatch records the requests the page makes to its API, with their
// headers, as the browser sent them.
type apiWatch struct {
	mu   sync.Mutex
	reqs map[string][]network.Headers // by path
}

func watchAPI(ctx context.Context) *apiWatch {
	w := &apiWatch{reqs: map[string][]network.Headers{}}
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			if u, err := neturl.Parse(e.Request.URL); err == nil && strings.HasPrefix(u.Path, "/api/") {
				w.mu.Lock()
				w.reqs[u.Path] = append(w.reqs[u.Path], e.Request.Headers)
				w.mu.Unlock()
			}
		}
	})
	return w
}

// check: each path was asked for, and every API request carried the
// token in its header (the live progress and the download included).
func (w *apiWatch) check(t *testing.T, token string, paths ...string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range paths {
		if len(w.reqs[p]) == 0 {
			t.Errorf("the page never asked for %s (asked: %v)", p, slices.Sorted(maps.Keys(w.reqs)))
		}
	}
	for p, hs := range w.reqs {
		for _, h := range hs {
			var got []string
			for k, v := range h {
				if strings.EqualFold(k, TokenHeader) {
					got = append(got, fmt.Sprint(v))
				}
				if strings.EqualFold(k, "Cookie") {
					t.Errorf("a request to %s carried a cookie", p)
				}
			}
			if len(got) != 1 || got[0] != token {
				t.Errorf("a request to %s carried %s %q, want the token", p, TokenHeader, got)
			}
		}
	}
}

// noTokenForOtherPorts: after the whole session the browser holds no
// cookie for the page, and another web server on 127.0.0.1 (another
// port, which the browser's cookies for 127.0.0.1 would reach) is sent
// nothing that carries the token.
func noTokenForOtherPorts(t *testing.T, ctx context.Context, s *Server) {
	t.Helper()
	var cookies []*network.Cookie
	step(t, ctx, "read the browser's cookies", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().WithURLs([]string{"http://" + s.host + "/"}).Do(ctx)
		return err
	}))
	if len(cookies) > 0 {
		t.Errorf("the browser holds cookies for the page: %+v", cookies[0])
	}
	got := make(chan string, 16)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var h strings.Builder
		r.Header.Write(&h)
		got <- r.URL.String() + "\n" + h.String()
		fmt.Fprint(w, "<!doctype html><title>another server</title><p>another server")
	}))
	defer other.Close()
	step(t, ctx, "visit another server on 127.0.0.1", chromedp.Navigate(other.URL), waitText("body", "another server"))
	for n := 0; ; n++ {
		select {
		case req := <-got:
			if strings.Contains(req, s.Token()) || strings.Contains(strings.ToLower(req), "cookie:") {
				t.Errorf("another server on 127.0.0.1 was sent the token or a cookie:\n%s", req)
			}
			continue
		default:
		}
		if n == 0 {
			t.Fatal("the other server saw no request")
		}
		return
	}
}

// fixAndSendAgain corrects the invalid row in the results table and sends
// it again: only it is sent.
func fixAndSendAgain(t *testing.T, ctx context.Context, s *Server, shots string) {
	step(t, ctx, "6. fix the invalid row in the page",
		chromedp.Evaluate(`document.querySelector('input[aria-label="Row 3, E-post"]').value = ""`, nil),
		chromedp.SendKeys(`input[aria-label="Row 3, E-post"]`, "kund2@exempel.se", chromedp.ByQuery),
		chromedp.WaitVisible("#save-fixes", chromedp.ByID))
	screenshot(t, ctx, shots, "6-fix", "#step-results")
	step(t, ctx, "6. send the failed rows again", chromedp.Click("#resend", chromedp.ByID),
		waitText("#sheet-status", "kunder-result.csv"), waitText("#counts", "30 valid"),
		chromedp.Click("#show-plan", chromedp.ByID), waitText("#plan", "created: 29"),
		waitText("#send", "Send 1 quote to the sandbox"),
		chromedp.SendKeys("#confirm", "1", chromedp.ByID), poll(`!document.getElementById("send").disabled`),
		chromedp.Click("#send", chromedp.ByID),
		waitText("#summary", "Done: 30 created, 0 failed, 0 invalid, 0 unknown, 1 skipped"))
	if got := s.box.srv.Stats().Created; got != 30 || len(s.box.srv.Duplicates()) != 0 {
		t.Fatalf("the sandbox created %d quotes (duplicates %v), want 30, none twice", got, s.box.srv.Duplicates())
	}
}

// checkDownload waits for the output sheet to arrive and reads it.
func checkDownload(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			if _, err := os.Stat(path + ".crdownload"); errors.Is(err, os.ErrNotExist) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the output sheet was not downloaded to %s within 60 s", path)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r, err := sheet.Open(path, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	counts := map[string]int{}
	for {
		row, err := r.Next()
		if err != nil {
			break
		}
		counts[row.Cells[5]]++
		if row.Line == 2 && (row.Cells[0] != "Åsa1" || row.Cells[6] == "") {
			t.Errorf("row 2 of the output = %q", row.Cells)
		}
	}
	if counts["created"] != 29 || counts["invalid"] != 1 || counts["skipped"] != 1 {
		t.Fatalf("the downloaded output's statuses = %v", counts)
	}
}

// A run goes on when the page is closed; the page opened again shows it,
// and Stop does what Ctrl-C does: the rows not sent are skipped and the
// output is written.
func TestBrowserReattachesAndStops(t *testing.T) {
	browserCtx := browserCtx(t)
	ctx, closeTab := newTab(t, browserCtx)
	s, url := startPage(t, Options{})
	input := writeFile(t, "kunder.csv", kunderCSV(200))
	step(t, ctx, "open the page", chromedp.Navigate(url), ready,
		chromedp.SetUploadFiles("#file", []string{input}, chromedp.ByID), waitText("#sheet-status", "201 rows"))
	step(t, ctx, "map it", chromedp.Click(`input[name=endpoint][value=quote]`, chromedp.ByQuery),
		poll(`(document.getElementById("f-customer_email-col") || {}).value === "E-post"`),
		chromedp.SendKeys("#f-quote_profile_id-value", "115", chromedp.ByID),
		waitText("#counts", "199 valid"))
	step(t, ctx, "plan at 5 requests/s", chromedp.Evaluate(`document.getElementById("rate").value = "5"`, nil),
		chromedp.Click("#show-plan", chromedp.ByID), waitText("#send", "Send 199 quotes to the sandbox"),
		chromedp.SendKeys("#confirm", "199", chromedp.ByID), chromedp.Click("#send", chromedp.ByID),
		waitText("#run-line", "rows done"))

	closeTab() // the run goes on without its page
	ctx, closeTab = newTab(t, browserCtx)
	defer closeTab()
	bare, _, _ := strings.Cut(url, "#")
	var state string
	step(t, ctx, "a new tab at the address without its token is told what to open",
		chromedp.Navigate(bare), poll(`document.body.dataset.ready === "no-token"`),
		waitText("#notice", "open the address sbimport ui printed"),
		chromedp.Evaluate(`JSON.stringify({run: !document.getElementById("step-run").hidden, es: document.getElementById("endpoints").children.length})`, &state))
	if state != `{"run":false,"es":1}` {
		t.Errorf("without the token the page shows %s; want nothing fetched", state)
	}
	step(t, ctx, "a wrong token (an earlier start's) is refused, in words",
		chromedp.Navigate(bare+"#token="+strings.Repeat("0", len(s.Token()))), waitText("#notice", "Forbidden: open the address sbimport ui printed"))
	api := watchAPI(ctx)
	step(t, ctx, "the address given in that tab",
		chromedp.Evaluate(`window.before = 1; setTimeout(() => { location.hash = "#token=`+s.Token()+`"; }, 50)`, nil))
	afterReload(t, ctx, "the page loads afresh with the token", `window.before === undefined && document.body.dataset.ready === "1"`)
	step(t, ctx, "the run is shown", chromedp.WaitVisible("#step-run", chromedp.ByID), waitText("#run-line", "of 201 rows done"))
	// A second import while this one runs is refused, in words.
	step(t, ctx, "a second plan is refused", chromedp.Click("#show-plan", chromedp.ByID), waitText("#notice", "one import at a time"))
	step(t, ctx, "stop", chromedp.Click("#stop", chromedp.ByID),
		waitText("#summary", "Stopped"), waitText("#summary", "skipped"))
	var line string
	step(t, ctx, "read the tally", chromedp.Text("#summary", &line, chromedp.ByID))
	sent := s.box.srv.Stats().Created
	if sent == 0 || sent >= 199 {
		t.Fatalf("the sandbox created %d quotes; a stopped run of 199 at 5/s creates some, not all (%s)", sent, line)
	}
	if !strings.Contains(line, fmt.Sprintf("Done: %d created", sent)) {
		t.Fatalf("summary %q, the sandbox created %d", line, sent)
	}
	api.check(t, s.Token(), "/api/state", "/api/events", "/api/stop")
}

// The uuid typed into the page leaves it with the plan request: it is not
// in the page afterwards, nor in its storage, cookies or address.
func TestBrowserKeepsTheUUIDOutOfThePage(t *testing.T) {
	const uuid = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
	box, prod := productionSandbox(t, sandbox.Options{UUIDs: []string{uuid}})
	ctx := browserCtx(t)
	_, url := startPage(t, Options{ProductionURL: prod})
	input := writeFile(t, "kunder.csv", kunderCSV(5))
	step(t, ctx, "sheet and mapping", chromedp.Navigate(url), ready,
		chromedp.SetUploadFiles("#file", []string{input}, chromedp.ByID), waitText("#sheet-status", "6 rows"),
		chromedp.Click(`input[name=endpoint][value=quote]`, chromedp.ByQuery),
		poll(`(document.getElementById("f-customer_email-col") || {}).value === "E-post"`),
		chromedp.SendKeys("#f-quote_profile_id-value", "115", chromedp.ByID), waitText("#counts", "4 valid"))
	step(t, ctx, "production, with the uuid typed in", chromedp.Click(`input[name=target][value=production]`, chromedp.ByQuery),
		chromedp.WaitVisible("#uuid", chromedp.ByID), chromedp.SendKeys("#uuid", uuid, chromedp.ByID),
		chromedp.Click("#show-plan", chromedp.ByID), waitText("#send", "Send 4 quotes to production"))
	pageHolds := func(when string) {
		var found bool
		step(t, ctx, "look for the uuid "+when, chromedp.Evaluate(fmt.Sprintf(`(() => {
			const u = %q;
			const inputs = [...document.querySelectorAll("input, textarea")].map((e) => e.value).join(" ");
			const store = JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage));
			return [document.documentElement.outerHTML, inputs, store, document.cookie, location.href].some((s) => s.includes(u));
		})()`, uuid), &found))
		if found {
			t.Fatalf("the uuid is in the page %s", when)
		}
	}
	pageHolds("after the plan")
	step(t, ctx, "send", chromedp.SendKeys("#confirm", "4", chromedp.ByID), poll(`!document.getElementById("send").disabled`),
		chromedp.Click("#send", chromedp.ByID), waitText("#summary", "Done: 4 created"))
	pageHolds("after the run")
	if box.Stats().Created != 4 {
		t.Fatalf("production created %d, want 4", box.Stats().Created)
	}
}

// startPage starts a page on a free loopback port, closed when the test
// ends, and returns it with its printed address.
func startPage(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return s, url
}
