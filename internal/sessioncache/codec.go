package sessioncache

import (
	"encoding/json"

	"github.com/stripe/stripe-go/v85"
)

// secretFields are the single-use values of a session, for one caller:
// never shared with another read, never stored.
var secretFields = []string{"client_secret", "url"}

// withoutSecrets returns s's JSON as Stripe sent it (or, for a session
// not read from Stripe's wire, as stripe-go encodes it), without its
// secretFields.
func withoutSecrets(s *stripe.IdentityVerificationSession) ([]byte, error) {
	raw := []byte(nil)
	if s.LastResponse != nil && len(s.LastResponse.RawJSON) > 0 {
		raw = s.LastResponse.RawJSON
	} else {
		var err error
		if raw, err = json.Marshal(s); err != nil {
			return nil, err
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	for _, f := range secretFields {
		delete(fields, f)
	}
	return json.Marshal(fields)
}

// decode returns a session of its own from raw: each reader may change
// what it gets (graph merges sensitive fields into it).
func decode(raw []byte) (*stripe.IdentityVerificationSession, error) {
	s := &stripe.IdentityVerificationSession{}
	if err := json.Unmarshal(raw, s); err != nil {
		return nil, err
	}
	return s, nil
}
