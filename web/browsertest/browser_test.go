package browsertest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium; the tests never download a browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no Chromium at %s: install the chromium package (make test does)", path)
	}
	return path
}

// newBrowser starts one headless Chromium for the test and returns its root context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // root in containers and CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Do(browser); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("unable to start Chromium: %v", err)
	}
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	return browser
}

// session is one person's tab in a browser context of its own: separate cookies, storage.
type session struct {
	t   *testing.T
	ctx context.Context
	url string
}

func newSession(t *testing.T, browser context.Context, baseURL string) *session {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	return &session{t: t, ctx: ctx, url: baseURL}
}

// do performs actions with a deadline, failing the test with what was being done.
func (s *session) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

func (s *session) open(path string) {
	s.t.Helper()
	s.do("open "+path, chromedp.Navigate(s.url+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// signIn uses the page's own form.
func (s *session) signIn(acc account) {
	s.t.Helper()
	s.open("/signin")
	s.do("sign in as "+acc.email,
		chromedp.SendKeys(chromedp.CSS("#email"), acc.email),
		chromedp.SendKeys(chromedp.CSS("#password"), acc.password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	)
}

// eval evaluates a JavaScript expression in the page, awaiting a promise.
func eval[T any](s *session, expr string) T {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("evaluate %.80s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds, failing after within.
func (s *session) waitFor(what, cond string, within time.Duration) time.Duration {
	s.t.Helper()
	start := time.Now()
	for {
		ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool]("Boolean("+cond+")"))
		if err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > within {
			state, _ := chromedp.Run(s.ctx, chromedp.Evaluate[string](`(document.body.dataset.live || "-") + " " + location.href`))
			s.t.Fatalf("%s: not within %s (live state and page: %s)", what, within, state)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// text is the trimmed text of the first element matching a CSS selector, "" when none does.
func (s *session) text(selector string) string {
	s.t.Helper()
	return eval[string](s, fmt.Sprintf(`(document.querySelector(%q)?.textContent || "").trim()`, selector))
}

// viewport sets the page's width, as a phone or a desktop.
func (s *session) viewport(width int) {
	s.t.Helper()
	if width < 600 {
		s.do("viewport", chromedp.EmulateViewport(int64(width), 800, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		return
	}
	s.do("viewport", chromedp.EmulateViewport(int64(width), 900))
}

// eval0 evaluates an expression for its effect.
func (s *session) eval0(expr string) {
	s.t.Helper()
	eval[any](s, "(() => { "+expr+"; return null })()")
}

func clickCSS(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel))
}

func sendKeysCSS(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

// setValueCSS sets a form control's value, as choosing in a <select>.
func setValueCSS(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), value)
}

// noScripts turns the page's scripts off, as a browser without JavaScript.
func (s *session) noScripts() {
	s.t.Helper()
	s.do("scripts off", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}
