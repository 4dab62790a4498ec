package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

func TestApplyMetadata(t *testing.T) {
	many := url.Values{}
	for i := range 51 {
		many.Set(fmt.Sprintf("metadata[k%d]", i), "v")
	}
	tests := []struct {
		name      string
		cur       map[string]string
		query     string
		want      string // sorted k=v list
		wantParam string
	}{
		{"a value sets its key", map[string]string{"a": "1"}, "metadata[b]=2", "a=1,b=2", ""},
		{"an empty value unsets its key", map[string]string{"a": "1", "b": "2"}, "metadata[a]=", "b=2", ""},
		{"an empty metadata clears every key", map[string]string{"a": "1"}, "metadata=", "", ""},
		{"absent metadata changes nothing", map[string]string{"a": "1"}, "", "a=1", ""},
		{"a 41-character key is rejected", nil, "metadata[" + strings.Repeat("k", 41) + "]=v", "", "metadata[" + strings.Repeat("k", 41) + "]"},
		{"a 500-character value is accepted", nil, "metadata[k]=" + strings.Repeat("v", 500), "k=" + strings.Repeat("v", 500), ""},
		{"a 501-character value is rejected", nil, "metadata[k]=" + strings.Repeat("v", 501), "", "metadata[k]"},
		{"51 keys are rejected", nil, many.Encode(), "", "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, _ := url.ParseQuery(tt.query)
			f, ferr := form.Parse(vals)
			if ferr != nil {
				t.Fatal(ferr)
			}
			got, aerr := applyMetadata(tt.cur, f.Get("metadata"))
			if tt.wantParam != "" {
				if aerr == nil || aerr.Param != tt.wantParam {
					t.Fatalf("got %v, want an error on %s", aerr, tt.wantParam)
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			var kv []string
			for k, v := range got {
				kv = append(kv, k+"="+v)
			}
			if s := strings.Join(slices.Sorted(slices.Values(kv)), ","); s != tt.want {
				t.Fatalf("got %s, want %s", s, tt.want)
			}
		})
	}
}
