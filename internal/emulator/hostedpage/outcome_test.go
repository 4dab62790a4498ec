package hostedpage

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseOutcome(t *testing.T) {
	tests := []struct {
		name    string
		form    url.Values
		want    Outcome
		wantErr bool
	}{
		{name: "pass is an empty outcome", form: url.Values{"action": {"pass"}}, want: Outcome{}},
		{name: "pass ignores a code", form: url.Values{"action": {"pass"}, "code": {"document_expired"}}, want: Outcome{}},
		{name: "abandon sets Abandon", form: url.Values{"action": {"abandon"}}, want: Outcome{Abandon: true}},
		{name: "fail carries the code", form: url.Values{"action": {"fail"}, "code": {"under_supported_age"}}, want: Outcome{ErrorCode: "under_supported_age"}},
		{name: "fail without a code is refused rather than passed", form: url.Values{"action": {"fail"}}, wantErr: true},
		{name: "fail with an empty code is refused rather than passed", form: url.Values{"action": {"fail"}, "code": {""}}, wantErr: true},
		{name: "fail with abandoned is refused: abandon is its own choice", form: url.Values{"action": {"fail"}, "code": {"abandoned"}}, wantErr: true},
		{name: "fail with two codes is ambiguous", form: url.Values{"action": {"fail"}, "code": {"document_expired", "selfie_manipulated"}}, wantErr: true},
		{name: "two actions are ambiguous", form: url.Values{"action": {"pass", "abandon"}}, wantErr: true},
		{name: "no action is refused", form: url.Values{}, wantErr: true},
		{name: "an unknown action is refused", form: url.Values{"action": {"PASS"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOutcome(tt.form)
			if tt.wantErr {
				if !errors.Is(err, errBadForm) {
					t.Errorf("err = %v, want errBadForm", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseOutcome = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
