package form

import (
	"bytes"
	"net/url"
	"testing"
)

func TestWriteCanonical(t *testing.T) {
	canonical := func(query string) string {
		t.Helper()
		vals, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		f, aerr := Parse(vals)
		if aerr != nil {
			t.Fatal(aerr)
		}
		var b bytes.Buffer
		f.WriteCanonical(&b)
		return b.String()
	}
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"the order of names does not matter", "metadata[a]=1&type=x", "type=x&metadata[a]=1", true},
		{"appended and indexed items are one array", "expand[]=a&expand[]=b", "expand[0]=a&expand[1]=b", true},
		{"indexes sort as numbers", "expand[2]=b&expand[10]=c", "expand[10]=c&expand[2]=b", true},
		{"the order of items matters", "expand[]=a&expand[]=b", "expand[]=b&expand[]=a", false},
		{"a value differs from the same value nested", "a=b", "a[b]=", false},
		{"lengths keep boundaries apart", "ab=c", "a=bc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonical(tt.a) == canonical(tt.b); got != tt.same {
				t.Fatalf("%q and %q: same %v, want %v (%q, %q)", tt.a, tt.b, got, tt.same, canonical(tt.a), canonical(tt.b))
			}
		})
	}
}
