package events

import "testing"

func TestRecentRemembersTheLastN(t *testing.T) {
	r := newRecent(3)
	steps := []struct {
		id  string
		new bool
	}{
		{"a", true}, {"b", true}, {"a", false}, {"c", true},
		{"d", true},  // forgets a
		{"b", false}, // still within the last three
		{"a", true},  // forgets b
		{"b", true},
	}
	for i, s := range steps {
		if got := r.add(s.id); got != s.new {
			t.Errorf("step %d: add(%q) = %v, want %v", i, s.id, got, s.new)
		}
	}
	if len(r.set) != 3 {
		t.Errorf("%d IDs held, want 3", len(r.set))
	}
}
