// Package browsertest starts headless Chromium for tests, the way CI runs
// it: Debian's chromium package at /usr/bin/chromium (.ci/run installs it).
package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

// Start starts a fresh headless Chromium and returns a chromedp context for
// its first tab. The whole test shares one deadline, browser start included,
// so that it can never hang; the browser is stopped when the test ends. The
// test is skipped, saying why, when no browser is installed or with -short.
func Start(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skip("chromium not found at " + ChromiumPath + "; install Debian's chromium package (.ci/run does)")
	}
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // as root, which CI is, Chromium needs this
		chromedp.DisableGPU,
		// Keep the browser from talking to anything but the test server:
		// the machines have no internet, and each refused call is noise.
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), // fresh: no stored query or settings
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", ChromiumPath, err)
	}
	return ctx
}
