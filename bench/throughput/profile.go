package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pprofSource is added to idgraph's main package for -cpuprofile, through
// go build's -overlay, so that idgraph itself never serves net/http/pprof:
// it serves it on a loopback port of its own and says where in its log.
const pprofSource = `package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(os.Stderr, "pprof listening %s\n", ln.Addr())
	go http.Serve(ln, nil)
}
`

// pprofRe finds the address in the line pprofSource prints.
var pprofRe = regexp.MustCompile(`pprof listening (\S+)`)

// pprofOverlay writes pprofSource and the overlay file that adds it to the
// main package's directory into dir, and returns the overlay's path.
func pprofOverlay(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", "github.com/idgraph/idgraph").Output()
	if err != nil {
		return "", fmt.Errorf("go list: %w", err)
	}
	src := filepath.Join(dir, "pprof_bench.go")
	if err := os.WriteFile(src, []byte(pprofSource), 0o644); err != nil {
		return "", err
	}
	target := filepath.Join(strings.TrimSpace(string(out)), "zz_pprof_bench.go")
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{target: src}})
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o644)
}

// profileUnderLoad loads t alone for d (whole seconds), not counted, while
// it takes a CPU profile of idg over the same time, and writes it to path.
// It runs after the measured slices: a profile over them would be mostly
// idgraph idle, waiting for the baseline's turns.
func profileUnderLoad(ctx context.Context, idg *server, t *target, concurrency int, d time.Duration, path string) error {
	if idg.pprof == "" {
		return errors.New("idgraph did not say where its profiling endpoint listens")
	}
	secs := max(1, int(d.Round(time.Second).Seconds()))
	type answer struct {
		data []byte
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		url := idg.pprof + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: %s", resp.Status, data)
		}
		got <- answer{data, err}
	}()
	t.hammer(ctx, concurrency, time.Duration(secs)*time.Second, false)
	a := <-got
	if a.err != nil {
		return a.err
	}
	return os.WriteFile(path, a.data, 0o644)
}
