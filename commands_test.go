package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/emulator"
)

// commandEnv is a getenv over vars.
func commandEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestRunCommandLeavesOtherArgs(t *testing.T) {
	for _, args := range [][]string{nil, {}, {"-addr", ":8080"}, {"serve"}, {"Token"}} {
		var stdout, stderr bytes.Buffer
		handled, err := runCommand(t.Context(), args, commandEnv(nil), &stdout, &stderr)
		if handled || err != nil || stdout.Len() > 0 {
			t.Errorf("runCommand(%q) = %v, %v, printed %q; want it left to the server", args, handled, err, stdout.String())
		}
	}
}

func TestAPIKeyCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	handled, err := runCommand(t.Context(), []string{"apikey"}, commandEnv(nil), &stdout, &stderr)
	if !handled || err != nil {
		t.Fatalf("runCommand = %v, %v", handled, err)
	}
	out := stdout.String()
	key, hash := field(out, "key:"), field(out, "sha256:")

	t.Run("the hash printed is the key's SHA-256", func(t *testing.T) {
		sum := sha256.Sum256([]byte(key))
		if key == "" || hash != hex.EncodeToString(sum[:]) {
			t.Errorf("key %q, hash %q:\n%s", key, hash, out)
		}
	})
	t.Run("an authenticator configured with the hash accepts the key as a server", func(t *testing.T) {
		sum, err := auth.ParseKeyHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		a, err := auth.New(t.Context(), auth.Config{APIKeyHashes: [][32]byte{sum}})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if p, err := a.Authenticate(t.Context(), key); err != nil || p.Kind != auth.Server {
			t.Errorf("Authenticate = %+v, %v", p, err)
		}
	})
	t.Run("it says where the hash and the key go", func(t *testing.T) {
		if !strings.Contains(out, "IDGRAPH_API_KEY_SHA256") || !strings.Contains(out, "server that calls idgraph") {
			t.Errorf("no instructions:\n%s", out)
		}
	})
	t.Run("it takes no arguments", func(t *testing.T) {
		if _, err := runCommand(t.Context(), []string{"apikey", "extra"}, commandEnv(nil), &stdout, &stderr); err == nil {
			t.Error("accepted an argument")
		}
	})
}

func TestTokenCommand(t *testing.T) {
	const secret = "a development secret of 32+ bytes!!"
	scopes := []string{auth.ScopeReadOutputs, auth.ScopeReadSensitive}
	dbPath := filepath.Join(t.TempDir(), "emulator.db")
	devSecret, err := emulator.LoadDevSigningSecret(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  map[string]string
		args []string
		cfg  auth.Config // of the authenticator that must accept the token
	}{
		{"the env's secret, issuer and audience sign a token idgraph accepts",
			map[string]string{"IDGRAPH_AUTH_HS256_SECRET": secret, "IDGRAPH_AUTH_ISSUER": "https://dev.test/", "IDGRAPH_AUTH_AUDIENCE": "idgraph"},
			[]string{"-sub", "user_42", "-scope", strings.Join(scopes, " "), "-ttl", "1h"},
			auth.Config{HS256Secret: []byte(secret), Issuer: "https://dev.test/", Audience: "idgraph"}},
		{"flags override the env",
			map[string]string{"IDGRAPH_AUTH_HS256_SECRET": "not this one, though 32 bytes long", "IDGRAPH_AUTH_ISSUER": "https://dev.test/"},
			[]string{"-sub", "user_42", "-scope", strings.Join(scopes, " "), "-hs256-secret", secret, "-iss", "https://other.test/", "-aud", "app"},
			auth.Config{HS256Secret: []byte(secret), Issuer: "https://other.test/", Audience: "app"}},
		{"without a secret the emulator's development secret signs",
			map[string]string{"IDGRAPH_EMULATOR_DB": dbPath},
			[]string{"-sub", "user_42", "-scope", strings.Join(scopes, " ")},
			auth.Config{HS256Secret: devSecret, Development: true}},
		{"the -emulator-db flag names the emulator database",
			nil,
			[]string{"-sub", "user_42", "-scope", strings.Join(scopes, " "), "-emulator-db", dbPath},
			auth.Config{HS256Secret: devSecret, Development: true}},
		{"the subject claim comes from the env",
			map[string]string{"IDGRAPH_AUTH_HS256_SECRET": secret, "IDGRAPH_AUTH_SUBJECT_CLAIM": "user_id"},
			[]string{"-sub", "user_42", "-scope", strings.Join(scopes, " ")},
			auth.Config{HS256Secret: []byte(secret), SubjectClaim: "user_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			handled, err := runCommand(t.Context(), append([]string{"token"}, tt.args...), commandEnv(tt.env), &stdout, &stderr)
			if !handled || err != nil {
				t.Fatalf("runCommand = %v, %v (%s)", handled, err, stderr.String())
			}
			token := strings.TrimSuffix(stdout.String(), "\n")
			if token == "" || strings.ContainsAny(token, " \n") {
				t.Fatalf("stdout is not just a token: %q", stdout.String())
			}
			if !strings.Contains(stderr.String(), `{"Authorization": "Bearer `) {
				t.Errorf("no hint for GraphiQL on stderr:\n%s", stderr.String())
			}
			a, err := auth.New(t.Context(), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			p, err := a.Authenticate(t.Context(), token)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if p.Kind != auth.EndUser || p.Subject != "user_42" || !slices.Equal(p.Scopes, scopes) {
				t.Errorf("principal = %+v, want user_42 with %v", p, scopes)
			}
		})
	}
}

func TestTokenCommandRefuses(t *testing.T) {
	env := commandEnv(map[string]string{"IDGRAPH_AUTH_HS256_SECRET": "a development secret of 32+ bytes!!"})
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"no -sub is an error that names it", []string{"-scope", auth.ScopeReadOutputs}, "-sub is required"},
		{"an argument is an error", []string{"-sub", "u", "extra"}, "no arguments"},
		{"a zero -ttl is an error", []string{"-sub", "u", "-ttl", "0s"}, "lifetime"},
		{"a short -hs256-secret is an error", []string{"-sub", "u", "-hs256-secret", "short"}, "32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			handled, err := runCommand(t.Context(), append([]string{"token"}, tt.args...), env, &stdout, &stderr)
			if !handled || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("runCommand = %v, %v; want an error about %q", handled, err, tt.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("printed %q", stdout.String())
			}
		})
	}
}

// field is the value after label on a line of out.
func field(out, label string) string {
	for line := range strings.SplitSeq(out, "\n") {
		if v, ok := strings.CutPrefix(line, label); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
