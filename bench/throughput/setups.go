package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"

	"github.com/idgraph/idgraph/internal/auth"
)

// setup is what one -backend measures: the baseline first, then idgraph
// (and the build to compare it with, if any), and the processes it
// started.
type setup struct {
	targets []*target
	idgraph *server // the first idgraph, profiled with -cpuprofile
	servers []*server
}

// build is one idgraph binary to measure.
type build struct {
	bin  string
	name string // in the target's name: "" for the checkout's
}

func (b build) label(s string) string {
	if b.name == "" {
		return s
	}
	return s + " (" + b.name + ")"
}

func (s *setup) stop() {
	for _, srv := range s.servers {
		srv.Stop()
	}
}

// emulatorSetup is idgraph on its emulator, reading one session, against a
// bare net/http handler answering the same POST.
func emulatorSetup(ctx context.Context, builds []build, dir string, concurrency int) (_ *setup, err error) {
	s := &setup{}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	bare, err := startBare(ctx)
	if err != nil {
		return nil, err
	}
	s.servers = append(s.servers, bare)
	for i, b := range builds {
		// Each with an emulator database of its own.
		idg, err := startIdgraph(ctx, b.bin, dir, "IDGRAPH_EMULATOR_DB="+filepath.Join(dir, fmt.Sprintf("emulator%d.db", i)))
		if err != nil {
			return nil, err
		}
		s.servers = append(s.servers, idg)
		if s.idgraph == nil {
			s.idgraph = idg
		}
		id, err := createSession(ctx, idg.URL)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			s.targets = append(s.targets, newTarget("bare net/http, 1 KB JSON", "bare", postEach(bare.URL, queryBody(id)), `"REQUIRES_INPUT"`, false, bare.Pid(), concurrency))
		}
		s.targets = append(s.targets, newTarget(b.label("idgraph on its emulator"), "", postEach(idg.URL+"/graphql", queryBody(id)), `"REQUIRES_INPUT"`, true, idg.Pid(), concurrency))
	}
	return s, nil
}

// benchKey is the key idgraph and the bench give stripe-mock, which takes
// any test key.
const benchKey = "sk_test_123"

// stripeMockSetup is idgraph in Stripe mode on a stripe-mock, called with
// a server's API key, against that
// stripe-mock asked directly, each request for a session not asked for
// before. stripe-mock answers any well-formed ID with its fixture, under
// that ID.
func stripeMockSetup(ctx context.Context, builds []build, dir string, concurrency int) (_ *setup, err error) {
	s := &setup{}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	mock, err := startStripeMock(ctx, dir)
	if err != nil {
		return nil, err
	}
	s.servers = append(s.servers, mock)
	direct := func(ctx context.Context, n uint64) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, mock.URL+"/v1/identity/verification_sessions/"+benchID("d", n), nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+benchKey)
		}
		return req, err
	}
	s.targets = append(s.targets, newTarget("stripe-mock direct", "stripe-mock", direct, `"identity.verification_session"`, false, mock.Pid(), concurrency))
	// A server's API key, as idgraph in front of Stripe is called in
	// production.
	apiKey, apiKeyHash, err := auth.NewAPIKey()
	if err != nil {
		return nil, err
	}
	for i, b := range builds {
		idg, err := startIdgraph(ctx, b.bin, dir, "STRIPE_SECRET_KEY="+benchKey, "STRIPE_API_BASE="+mock.URL,
			"IDGRAPH_API_KEY_SHA256="+apiKeyHash)
		if err != nil {
			return nil, err
		}
		s.servers = append(s.servers, idg)
		if s.idgraph == nil {
			s.idgraph = idg
		}
		prefix := fmt.Sprintf("i%d", i)
		viaIdgraph := func(ctx context.Context, n uint64) (*http.Request, error) {
			req, err := postEach(idg.URL+"/graphql", queryBody(benchID(prefix, n)))(ctx, n)
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+apiKey)
			}
			return req, err
		}
		t := newTarget(b.label("idgraph on stripe-mock"), "", viaIdgraph, `"VERIFIED"`, true, idg.Pid(), concurrency)
		t.peerPid = mock.Pid()
		s.targets = append(s.targets, t)
	}
	return s, nil
}

// benchID is the n-th session ID a target asks for: as long as Stripe's,
// and one a cache has never seen.
func benchID(prefix string, n uint64) string {
	return fmt.Sprintf("vs_1Bench%s%016d", prefix, n)
}

// queryBody is the POST body of readQuery for session id.
func queryBody(id string) []byte {
	b, _ := json.Marshal(map[string]any{"query": readQuery, "variables": map[string]string{"id": id}})
	return b
}
