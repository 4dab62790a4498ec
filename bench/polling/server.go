package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/idgraph/idgraph/bench/internal/proc"
)

// idgraph is one idgraph process of the run, on an emulator of its own.
type idgraph struct {
	*proc.Process
	name string
}

// start runs bin (proc.StartIdgraph, budgets off) with its emulator's
// database and log in dir and env added, and waits until it serves.
func start(ctx context.Context, name, bin, dir string, env ...string) (*idgraph, error) {
	env = append([]string{"IDGRAPH_EMULATOR_DB=" + filepath.Join(dir, name+".db")}, env...)
	p, err := proc.StartIdgraph(ctx, bin, filepath.Join(dir, name+".log"), env...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &idgraph{Process: p, name: name}, nil
}

// retrieves reads from idgraph's /metrics the session retrieves it has
// sent to Stripe (its emulator): the figure the cache is there to cut.
func (s *idgraph) retrieves(ctx context.Context) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		return 0, err
	}
	var n float64
	for _, m := range families["idgraph_stripe_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["method"] == http.MethodGet && labels["endpoint"] == "/v1/identity/verification_sessions/{id}" {
			n += m.GetCounter().GetValue()
		}
	}
	return n, nil
}

// created is a session as the benchmark creates it.
type created struct{ ID, URL string }

// create creates a requires_input session and returns its ID and hosted
// page.
func (s *idgraph) create(ctx context.Context, client *http.Client) (created, error) {
	var out struct {
		Data struct {
			CreateVerificationSession struct{ VerificationSession *created }
		}
	}
	raw, err := post(ctx, client, s.URL+"/graphql", `mutation { createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id url } } }`, nil)
	if err == nil {
		err = json.Unmarshal(raw, &out)
	}
	if vs := out.Data.CreateVerificationSession.VerificationSession; err == nil && vs != nil {
		return *vs, nil
	}
	return created{}, fmt.Errorf("create a session: %v: %s", err, raw)
}

func post(ctx context.Context, client *http.Client, url, query string, vars map[string]any) ([]byte, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", res.Status, raw)
	}
	return raw, err
}
