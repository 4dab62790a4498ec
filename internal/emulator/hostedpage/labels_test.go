package hostedpage

import (
	"slices"
	"testing"
)

func TestEveryCodeHasALabel(t *testing.T) {
	for _, code := range LastErrorCodes {
		if codeLabels[code] == "" {
			t.Errorf("no label for %s", code)
		}
	}
}

func TestNoLabelForACodeTheBackendRefuses(t *testing.T) {
	for code := range codeLabels {
		if !slices.Contains(LastErrorCodes, code) {
			t.Errorf("label for %s, which is not in LastErrorCodes", code)
		}
	}
}

func TestCodeChoicesFollowLastErrorCodes(t *testing.T) {
	choices := codeChoices()
	if len(choices) != len(LastErrorCodes) {
		t.Fatalf("%d choices, want %d", len(choices), len(LastErrorCodes))
	}
	for i, c := range choices {
		if c.Code != LastErrorCodes[i] || c.Label != codeLabels[c.Code] {
			t.Errorf("choice %d = %+v, want %s with its label", i, c, LastErrorCodes[i])
		}
	}
}
