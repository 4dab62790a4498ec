package graph

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
)

// This file turns mutation inputs into stripe-go params, checking first what
// Stripe would reject anyway but cannot point at precisely (metadata limits).

// Stripe's metadata limits.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 500
)

func createParams(in model.CreateVerificationSessionInput) (*stripe.IdentityVerificationSessionCreateParams, error) {
	if err := checkIdempotencyKey(in.IdempotencyKey); err != nil {
		return nil, err
	}
	if err := checkReturnURL(in.ReturnURL); err != nil {
		return nil, err
	}
	p := &stripe.IdentityVerificationSessionCreateParams{
		ClientReferenceID:      in.ClientReferenceID,
		VerificationFlow:       in.VerificationFlow,
		RelatedCustomer:        in.RelatedCustomer,
		RelatedCustomerAccount: in.RelatedCustomerAccount,
		ReturnURL:              in.ReturnURL,
	}
	p.IdempotencyKey = idempotencyKey(in.IdempotencyKey)
	if in.Type != nil {
		t, err := inputType(*in.Type)
		if err != nil {
			return nil, err
		}
		p.Type = &t
	}
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	for _, e := range in.Metadata {
		// On create, an unset key is simply not set.
		if e.Value != nil && *e.Value != "" {
			p.AddMetadata(e.Key, *e.Value)
		}
	}
	if doc, set := documentOptions(in.Options); set {
		p.Options = &stripe.IdentityVerificationSessionCreateOptionsParams{}
		if doc == nil {
			p.Options.AddUnsetField(stripe.IdentityVerificationSessionCreateOptionsParamsUnsetFieldDocument)
		} else {
			p.Options.Document = (*stripe.IdentityVerificationSessionCreateOptionsDocumentParams)(doc)
		}
	}
	if d := in.ProvidedDetails; d != nil {
		p.ProvidedDetails = &stripe.IdentityVerificationSessionCreateProvidedDetailsParams{Email: d.Email, Phone: d.Phone}
	}
	if r := in.RelatedPerson; r != nil {
		p.RelatedPerson = &stripe.IdentityVerificationSessionCreateRelatedPersonParams{Account: &r.Account, Person: &r.Person}
	}
	return p, nil
}

func updateParams(in model.UpdateVerificationSessionInput) (*stripe.IdentityVerificationSessionUpdateParams, error) {
	if err := checkSession(in.ID, in.IdempotencyKey); err != nil {
		return nil, err
	}
	p := &stripe.IdentityVerificationSessionUpdateParams{}
	p.IdempotencyKey = idempotencyKey(in.IdempotencyKey)
	if in.Type != nil {
		t, err := inputType(*in.Type)
		if err != nil {
			return nil, err
		}
		p.Type = &t
	}
	if in.Metadata.IsSet() {
		entries := in.Metadata.Value()
		if err := checkMetadata(entries); err != nil {
			return nil, err
		}
		if len(entries) == 0 {
			// Stripe clears all keys when metadata itself is empty.
			p.AddExtra("metadata", "")
		}
		for _, e := range entries {
			// An empty value unsets the key (Stripe's rule).
			v := ""
			if e.Value != nil {
				v = *e.Value
			}
			p.AddMetadata(e.Key, v)
		}
	}
	if doc, set := documentOptions(in.Options); set {
		p.Options = &stripe.IdentityVerificationSessionUpdateOptionsParams{}
		if doc == nil {
			p.Options.AddUnsetField(stripe.IdentityVerificationSessionUpdateOptionsParamsUnsetFieldDocument)
		} else {
			p.Options.Document = (*stripe.IdentityVerificationSessionUpdateOptionsDocumentParams)(doc)
		}
	}
	if d := in.ProvidedDetails; d != nil {
		p.ProvidedDetails = &stripe.IdentityVerificationSessionUpdateProvidedDetailsParams{Email: d.Email, Phone: d.Phone}
	}
	return p, nil
}

func cancelParams(in model.CancelVerificationSessionInput) (*stripe.IdentityVerificationSessionCancelParams, error) {
	if err := checkSession(in.ID, in.IdempotencyKey); err != nil {
		return nil, err
	}
	p := &stripe.IdentityVerificationSessionCancelParams{}
	p.IdempotencyKey = idempotencyKey(in.IdempotencyKey)
	return p, nil
}

func redactParams(in model.RedactVerificationSessionInput) (*stripe.IdentityVerificationSessionRedactParams, error) {
	if err := checkSession(in.ID, in.IdempotencyKey); err != nil {
		return nil, err
	}
	p := &stripe.IdentityVerificationSessionRedactParams{}
	p.IdempotencyKey = idempotencyKey(in.IdempotencyKey)
	return p, nil
}

// checkSession checks the inputs every mutation of an existing session has.
func checkSession(id string, idempotencyKey *string) error {
	if err := checkSessionID([]string{"id"}, id); err != nil {
		return err
	}
	return checkIdempotencyKey(idempotencyKey)
}

// idempotencyKey is the key a mutation is sent with: the client's, or one
// of idgraph's own, so that a mutation whose outcome is unknown (a timeout)
// can be retried safely with the key its error carries.
func idempotencyKey(given *string) *string {
	if given != nil {
		return given
	}
	return stripe.String("idgraph-" + rand.Text())
}

// checkReturnURL refuses what Stripe refuses as a return_url: anything but an
// absolute http or https URL (a javascript: URL would run in the page the
// user is sent back to).
func checkReturnURL(raw *string) error {
	if raw == nil {
		return nil
	}
	u, err := url.Parse(*raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(*raw) > 2048 {
		return badInput([]string{"returnUrl"}, "returnUrl must be an absolute http or https URL.")
	}
	return nil
}

// maxIdempotencyKeyLen is Stripe's limit on an Idempotency-Key.
const maxIdempotencyKeyLen = 255

func checkIdempotencyKey(key *string) error {
	if key == nil {
		return nil
	}
	if *key == "" || len(*key) > maxIdempotencyKeyLen || strings.ContainsAny(*key, "\r\n") {
		return badInput([]string{"idempotencyKey"}, fmt.Sprintf("An idempotency key must be 1 to %d characters on one line.", maxIdempotencyKeyLen))
	}
	return nil
}

// documentOptions reads options.document: set is false when it is absent,
// and doc is nil when it is null (remove the options). stripe-go declares
// the document params three times (create, update, generic) with the same
// fields, so the generic one converts to either.
func documentOptions(o *model.VerificationSessionOptionsInput) (doc *stripe.IdentityVerificationSessionOptionsDocumentParams, set bool) {
	if o == nil || !o.Document.IsSet() {
		return nil, false
	}
	d := o.Document.Value()
	if d == nil {
		return nil, true
	}
	doc = &stripe.IdentityVerificationSessionOptionsDocumentParams{
		RequireIDNumber:       d.RequireIDNumber,
		RequireLiveCapture:    d.RequireLiveCapture,
		RequireMatchingSelfie: d.RequireMatchingSelfie,
	}
	for _, t := range d.AllowedTypes {
		doc.AllowedTypes = append(doc.AllowedTypes, stripe.String(enumToStripe(t)))
	}
	return doc, true
}

func inputType(t model.VerificationSessionType) (string, error) {
	switch t {
	case model.VerificationSessionTypeUnknown, model.VerificationSessionTypeVerificationFlow:
		return "", badInput([]string{"type"}, fmt.Sprintf("type %s cannot be requested; use DOCUMENT or ID_NUMBER (or verificationFlow).", t))
	}
	return enumToStripe(t), nil
}

// checkMetadata applies Stripe's metadata rules, so that a client learns
// which entry is wrong.
func checkMetadata(entries []model.MetadataEntryInput) error {
	if len(entries) > maxMetadataKeys {
		return badInput([]string{"metadata"}, fmt.Sprintf("metadata has %d entries; Stripe allows at most %d keys.", len(entries), maxMetadataKeys))
	}
	seen := make(map[string]bool, len(entries))
	for i, e := range entries {
		at := func(f string) []string { return []string{"metadata", strconv.Itoa(i), f} }
		switch {
		case e.Key == "":
			return badInput(at("key"), "A metadata key cannot be empty.")
		case len([]rune(e.Key)) > maxMetadataKeyLen:
			return badInput(at("key"), fmt.Sprintf("A metadata key can be at most %d characters long.", maxMetadataKeyLen))
		case strings.ContainsAny(e.Key, "[]"):
			return badInput(at("key"), "A metadata key cannot contain square brackets.")
		case seen[e.Key]:
			return badInput(at("key"), fmt.Sprintf("The metadata key %q is given twice.", e.Key))
		case e.Value != nil && len([]rune(*e.Value)) > maxMetadataValueLen:
			return badInput(at("value"), fmt.Sprintf("A metadata value can be at most %d characters long.", maxMetadataValueLen))
		}
		seen[e.Key] = true
	}
	return nil
}

// inputField maps a Stripe param, such as "options[document][allowed_types]"
// or "metadata[plan]", to the path into a mutation's input, such as
// ["options", "document", "allowedTypes"] or ["metadata", "3"].
func inputField(metadata []model.MetadataEntryInput) func(param string) []string {
	return func(param string) []string {
		parts := strings.FieldsFunc(param, func(r rune) bool { return r == '[' || r == ']' })
		if len(parts) == 2 && parts[0] == "metadata" {
			if i := slices.IndexFunc(metadata, func(e model.MetadataEntryInput) bool { return e.Key == parts[1] }); i >= 0 {
				return []string{"metadata", strconv.Itoa(i)}
			}
			return []string{"metadata"}
		}
		for i, p := range parts {
			if _, err := strconv.Atoi(p); err != nil {
				parts[i] = camelCase(p)
			}
		}
		return parts
	}
}

func camelCase(s string) string {
	words := strings.Split(s, "_")
	for i := 1; i < len(words); i++ {
		if words[i] != "" {
			words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
		}
	}
	return strings.Join(words, "")
}

func pathString(path []string) string { return strings.Join(path, ".") }
