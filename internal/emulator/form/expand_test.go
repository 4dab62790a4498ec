package form

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseExpand(t *testing.T) {
	expandable := []string{"a", "b", "b.c", "d.e.f"}
	tests := []struct {
		name    string
		query   string
		list    bool
		want    []string // the expansion, exactly
		wantErr string
	}{
		{"a path expands itself", "expand[]=a", false, []string{"a"}, ""},
		{"a nested path expands its parents", "expand[]=d.e.f", false, []string{"d", "d.e", "d.e.f"}, ""},
		{"paths add up", "expand[]=a&expand[]=b.c", false, []string{"a", "b", "b.c"}, ""},
		{"lists take the data. prefix", "expand[]=data.b", true, []string{"b"}, ""},
		{"lists without data. are told so", "expand[]=b", true, nil, "This property cannot be expanded (b). You may want to try expanding 'data.b' instead."},
		{"lists without data. are not told so of an unknown path", "expand[]=x", true, nil, "This property cannot be expanded (x)."},
		{"an unknown path is refused", "expand[]=x", false, nil, "This property cannot be expanded (x)."},
		{"a parent is not expandable by itself", "expand[]=d.e", false, nil, "This property cannot be expanded (d.e)."},
		{"no expand[] is an empty expansion", "", false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, _ := url.ParseQuery(tt.query)
			f, _ := Parse(vals)
			ex, aerr := ParseExpand(f, expandable, tt.list)
			if tt.wantErr != "" {
				if aerr == nil || aerr.Message != tt.wantErr || aerr.Status != 400 || aerr.Param != "" {
					t.Fatalf("got %v, want %q", aerr, tt.wantErr)
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			if len(ex) != len(tt.want) {
				t.Errorf("expansion %v, want %v", ex, tt.want)
			}
			for _, p := range tt.want {
				if !ex.Has(p) {
					t.Errorf("%s not expanded (%v)", p, ex)
				}
			}
		})
	}
	t.Run("nothing is expandable without a catalogue", func(t *testing.T) {
		f, _ := Parse(url.Values{"expand[]": {"a"}})
		if _, aerr := ParseExpand(f, nil, false); aerr == nil || !strings.Contains(aerr.Message, "(a)") {
			t.Fatalf("got %v", aerr)
		}
	})
}

func TestExpansionSub(t *testing.T) {
	ex := Expansion{"r": true, "r.a": true, "r.a.b": true, "s": true, "rx.a": true}
	sub := ex.Sub("r")
	if len(sub) != 2 || !sub.Has("a") || !sub.Has("a.b") {
		t.Fatalf("Sub(r) = %v, want a and a.b", sub)
	}
}
