package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func TestNewAPIKey(t *testing.T) {
	key, hash, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a key is the prefix and 32 random bytes in base64url", func(t *testing.T) {
		if !strings.HasPrefix(key, APIKeyPrefix) || len(key) != apiKeyMinLen || !isBase64URL(key[len(APIKeyPrefix):]) {
			t.Errorf("key has the wrong form (length %d)", len(key))
		}
	})
	t.Run("the hash is the lowercase hex SHA-256 of the key", func(t *testing.T) {
		sum := sha256.Sum256([]byte(key))
		if hash != hex.EncodeToString(sum[:]) {
			t.Errorf("hash = %s, want the key's SHA-256", hash)
		}
	})
	t.Run("ParseKeyHash reads the hash back", func(t *testing.T) {
		sum, err := ParseKeyHash(hash)
		if err != nil || sum != sha256.Sum256([]byte(key)) {
			t.Errorf("ParseKeyHash = %x, %v", sum, err)
		}
	})
	t.Run("two keys differ", func(t *testing.T) {
		other, _, err := NewAPIKey()
		if err != nil || other == key {
			t.Errorf("second key: same as the first or %v", err)
		}
	})
}

func TestParseKeyHashRefuses(t *testing.T) {
	key, hash, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
	}{
		{"an empty string", ""},
		{"a hash one digit short", hash[1:]},
		{"a hash with a letter that is not hex", "g" + hash[1:]},
		{"the key itself", key},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is not a hash", func(t *testing.T) {
			_, err := ParseKeyHash(tt.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.in != "" && strings.Contains(err.Error(), tt.in) {
				t.Errorf("the error quotes its input: %v", err)
			}
		})
	}
}

func TestAPIKeyAuthentication(t *testing.T) {
	keys := make([]string, 3)
	hashes := make([][32]byte, 3)
	for i := range keys {
		key, hash, err := NewAPIKey()
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = key
		if hashes[i], err = ParseKeyHash(hash); err != nil {
			t.Fatal(err)
		}
	}
	a := newTestAuthenticator(t, Config{APIKeyHashes: hashes}, newTestClock())
	unknown, _, err := NewAPIKey()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		key  string
		want string // "" is a Server
	}{
		{"the first configured key is a server", keys[0], ""},
		{"a middle configured key is a server", keys[1], ""},
		{"the last configured key is a server", keys[2], ""},
		{"a key that is not configured is refused", unknown, msgAPIKeyNotAllowed},
		{"a configured key with one character changed is refused", keys[1][:20] + flip(keys[1][20]) + keys[1][21:], msgAPIKeyNotAllowed},
		{"a configured key cut short is malformed", keys[0][:len(keys[0])-1], msgAPIKeyMalformed},
		{"a key with a character outside base64url is malformed", keys[0][:len(keys[0])-1] + "!", msgAPIKeyMalformed},
		{"the bare prefix is malformed", APIKeyPrefix, msgAPIKeyMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(t.Context(), tt.key)
			if tt.want == "" {
				if err != nil || p.Kind != Server || !p.FullAccess() {
					t.Errorf("Authenticate = %+v, %v; want a server", p, err)
				}
				return
			}
			if got := refusal(t, err); got != tt.want {
				t.Errorf("refusal = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("without configured keys every key is refused", func(t *testing.T) {
		b := newTestAuthenticator(t, Config{HS256Secret: testSecret}, newTestClock())
		_, err := b.Authenticate(t.Context(), keys[0])
		if got := refusal(t, err); got != msgAPIKeyNotAllowed {
			t.Errorf("refusal = %q, want %q", got, msgAPIKeyNotAllowed)
		}
	})
}

// TestMatchKeyHashIsConstantTime reads matchKeyHash's source: timing cannot
// be measured reliably in a test, but what makes it constant can be seen.
// The loop compares every hash with subtle.ConstantTimeCompare and never
// leaves early, and the hash is compared nowhere else.
func TestMatchKeyHashIsConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "apikey.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var match *ast.FuncDecl
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "matchKeyHash" {
			match = fn
		}
	}
	if match == nil {
		t.Fatal("no matchKeyHash in apikey.go")
	}
	var loop *ast.RangeStmt
	ast.Inspect(match.Body, func(n ast.Node) bool {
		if r, ok := n.(*ast.RangeStmt); ok {
			loop = r
		}
		return true
	})
	if loop == nil {
		t.Fatal("matchKeyHash has no loop over the hashes")
	}
	var constantTime bool
	ast.Inspect(loop.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ReturnStmt, *ast.BranchStmt:
			t.Errorf("%s: the loop leaves early", fset.Position(n.Pos()))
		case *ast.IfStmt:
			t.Errorf("%s: the loop branches on a comparison", fset.Position(n.Pos()))
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && x.Name == "subtle" && n.Sel.Name == "ConstantTimeCompare" {
				constantTime = true
			}
		}
		return true
	})
	if !constantTime {
		t.Error("the loop does not compare with subtle.ConstantTimeCompare")
	}
	ast.Inspect(file, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "bytes" && (sel.Sel.Name == "Equal" || sel.Sel.Name == "Compare") {
				t.Errorf("%s: apikey.go compares with bytes.%s", fset.Position(n.Pos()), sel.Sel.Name)
			}
		}
		return true
	})
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || (fn.Name.Name != "checkAPIKey" && fn.Name.Name != "matchKeyHash") {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if b, ok := n.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) {
				if mentionsHash(b.X) || mentionsHash(b.Y) {
					t.Errorf("%s: %s compares a hash with %s", fset.Position(n.Pos()), fn.Name.Name, b.Op)
				}
			}
			return true
		})
	}
}

// mentionsHash tells whether e names a hash or sum.
func mentionsHash(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && (id.Name == "sum" || id.Name == "hashes") {
			found = true
		}
		return true
	})
	return found
}

// flip is another base64url character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
