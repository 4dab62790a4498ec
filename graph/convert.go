package graph

import (
	"slices"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
)

// This file turns stripe-go's objects into the GraphQL models, in one place.
// stripe-go decodes Stripe's null as a zero value; the schema's nullable
// fields come back as null for those, and Stripe's enum values go through
// enumFromStripe so that values Stripe adds later read as UNKNOWN.

func sessionFromStripe(s *stripe.IdentityVerificationSession) *model.VerificationSession {
	if s == nil {
		return nil
	}
	m := &model.VerificationSession{
		ID:                     s.ID,
		ClientReferenceID:      nullable(s.ClientReferenceID),
		ClientSecret:           nullable(s.ClientSecret),
		Created:                unixTime(s.Created),
		LastError:              lastErrorFromStripe(s.LastError),
		LastVerificationReport: reportFromStripe(s.LastVerificationReport),
		Livemode:               s.Livemode,
		Metadata:               metadataFromStripe(s.Metadata),
		Options:                optionsFromStripe(s.Options),
		ProvidedDetails:        providedDetailsFromStripe(s.ProvidedDetails),
		Redaction:              redactionFromStripe(s.Redaction),
		RelatedCustomer:        nullable(s.RelatedCustomer),
		RelatedCustomerAccount: nullable(s.RelatedCustomerAccount),
		RelatedPerson:          relatedPersonFromStripe(s.RelatedPerson),
		Status:                 enumValue(s.Status, model.VerificationSessionStatusUnknown),
		Type:                   enumValue(s.Type, model.VerificationSessionTypeUnknown),
		URL:                    nullable(s.URL),
		VerificationFlow:       nullable(s.VerificationFlow),
		VerifiedOutputs:        verifiedOutputsFromStripe(s.VerifiedOutputs),
	}
	if r := m.LastVerificationReport; r != nil {
		// The report's session is the one it is the last report of.
		r.VerificationSession = m
	}
	return m
}

// nullable reads stripe-go's empty string as Stripe's null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func metadataFromStripe(m map[string]string) []model.MetadataEntry {
	entries := make([]model.MetadataEntry, 0, len(m))
	for k, v := range m {
		entries = append(entries, model.MetadataEntry{Key: k, Value: v})
	}
	// Go maps have no order; sorted keys give clients a stable answer.
	slices.SortFunc(entries, func(a, b model.MetadataEntry) int {
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	return entries
}

func lastErrorFromStripe(e *stripe.IdentityVerificationSessionLastError) *model.VerificationSessionLastError {
	// Stripe sends {"code": null, "reason": null} as often as null.
	if e == nil || (e.Code == "" && e.Reason == "") {
		return nil
	}
	return &model.VerificationSessionLastError{
		Code:   enumFromStripe(e.Code, model.VerificationErrorCodeUnknown),
		Reason: nullable(e.Reason),
	}
}

func optionsFromStripe(o *stripe.IdentityVerificationSessionOptions) *model.VerificationSessionOptions {
	if o == nil {
		return nil
	}
	out := &model.VerificationSessionOptions{IDNumber: o.IDNumber != nil}
	if d := o.Document; d != nil {
		out.Document = documentOptionsFromStripe(d.AllowedTypes, d.RequireIDNumber, d.RequireLiveCapture, d.RequireMatchingSelfie)
	}
	if e := o.Email; e != nil {
		out.Email = &model.VerificationSessionEmailOptions{RequireVerification: e.RequireVerification}
	}
	if p := o.Phone; p != nil {
		out.Phone = &model.VerificationSessionPhoneOptions{RequireVerification: p.RequireVerification}
	}
	if m := o.Matching; m != nil {
		out.Matching = &model.VerificationSessionMatchingOptions{
			Dob:  enumFromStripe(m.DOB, model.MatchingPolicyUnknown),
			Name: enumFromStripe(m.Name, model.MatchingPolicyUnknown),
		}
	}
	return out
}

// documentOptionsFromStripe converts a session's or a report's document
// options, which stripe-go declares twice with the same fields.
func documentOptionsFromStripe[T ~string](allowed []T, idNumber, liveCapture, matchingSelfie bool) *model.VerificationSessionDocumentOptions {
	types := make([]model.DocumentType, 0, len(allowed))
	for _, t := range allowed {
		types = append(types, enumValue(t, model.DocumentTypeUnknown))
	}
	return &model.VerificationSessionDocumentOptions{
		AllowedTypes:          types,
		RequireIDNumber:       idNumber,
		RequireLiveCapture:    liveCapture,
		RequireMatchingSelfie: matchingSelfie,
	}
}

func reportOptionsFromStripe(o *stripe.IdentityVerificationReportOptions) *model.VerificationReportOptions {
	if o == nil {
		return nil
	}
	out := &model.VerificationReportOptions{IDNumber: o.IDNumber != nil}
	if d := o.Document; d != nil {
		out.Document = documentOptionsFromStripe(d.AllowedTypes, d.RequireIDNumber, d.RequireLiveCapture, d.RequireMatchingSelfie)
	}
	return out
}

func providedDetailsFromStripe(p *stripe.IdentityVerificationSessionProvidedDetails) *model.VerificationSessionProvidedDetails {
	if p == nil {
		return nil
	}
	return &model.VerificationSessionProvidedDetails{Email: nullable(p.Email), Phone: nullable(p.Phone)}
}

func redactionFromStripe(r *stripe.IdentityVerificationSessionRedaction) *model.VerificationSessionRedaction {
	if r == nil {
		return nil
	}
	return &model.VerificationSessionRedaction{Status: enumValue(r.Status, model.RedactionStatusUnknown)}
}

func relatedPersonFromStripe(p *stripe.IdentityVerificationSessionRelatedPerson) *model.VerificationSessionRelatedPerson {
	if p == nil || (p.Account == "" && p.Person == "") {
		return nil
	}
	return &model.VerificationSessionRelatedPerson{Account: p.Account, Person: p.Person}
}

func verifiedOutputsFromStripe(v *stripe.IdentityVerificationSessionVerifiedOutputs) *model.VerificationSessionVerifiedOutputs {
	if v == nil {
		return nil
	}
	out := &model.VerificationSessionVerifiedOutputs{
		Address:              addressFromStripe(v.Address),
		Email:                nullable(v.Email),
		FirstName:            nullable(v.FirstName),
		LastName:             nullable(v.LastName),
		IDNumber:             nullable(v.IDNumber),
		IDNumberType:         enumFromStripe(v.IDNumberType, model.IDNumberTypeUnknown),
		Phone:                nullable(v.Phone),
		Sex:                  enumFromStripe(v.Sex, model.SexUnknown),
		UnparsedPlaceOfBirth: nullable(v.UnparsedPlaceOfBirth),
		UnparsedSex:          nullable(v.UnparsedSex),
	}
	if d := v.DOB; d != nil {
		out.Dob = date(d.Day, d.Month, d.Year)
	}
	return out
}

func addressFromStripe(a *stripe.Address) *model.Address {
	if a == nil {
		return nil
	}
	return &model.Address{
		City:       nullable(a.City),
		Country:    nullable(a.Country),
		Line1:      nullable(a.Line1),
		Line2:      nullable(a.Line2),
		PostalCode: nullable(a.PostalCode),
		State:      nullable(a.State),
	}
}

// date builds a Date; Stripe's parts are null when unknown, which stripe-go
// decodes as 0, and 0 is never a valid day, month or year.
func date(day, month, year int64) *model.Date {
	part := func(v int64) *int {
		if v == 0 {
			return nil
		}
		i := int(v)
		return &i
	}
	return &model.Date{Day: part(day), Month: part(month), Year: part(year)}
}

func reportFromStripe(r *stripe.IdentityVerificationReport) *model.VerificationReport {
	if r == nil || r.ID == "" {
		return nil
	}
	// An unexpanded report is only its ID; its other fields are asked for
	// only with it expanded (expand.go), and Stripe always sends them then.
	out := &model.VerificationReport{
		ID:                r.ID,
		Created:           unixTime(r.Created),
		Type:              enumValue(r.Type, model.VerificationSessionTypeUnknown),
		ClientReferenceID: nullable(r.ClientReferenceID),
		Livemode:          r.Livemode,
		Options:           reportOptionsFromStripe(r.Options),
		VerificationFlow:  nullable(r.VerificationFlow),
	}
	if d := r.Document; d != nil {
		out.Document = &model.DocumentCheck{
			Status:         enumValue(d.Status, model.CheckStatusUnknown),
			Type:           enumFromStripe(d.Type, model.DocumentTypeUnknown),
			IssuingCountry: nullable(d.IssuingCountry),
			FirstName:      nullable(d.FirstName),
			LastName:       nullable(d.LastName),
			Address:        addressFromStripe(d.Address),
			Number:         nullable(d.Number),
			Sex:            enumFromStripe(d.Sex, model.SexUnknown),
			Files:          d.Files,
		}
		if d.Error != nil {
			out.Document.Error = checkError(d.Error.Code, d.Error.Reason)
		}
		if v := d.DOB; v != nil {
			out.Document.Dob = date(v.Day, v.Month, v.Year)
		}
		if v := d.IssuedDate; v != nil {
			out.Document.IssuedDate = date(v.Day, v.Month, v.Year)
		}
		if v := d.ExpirationDate; v != nil {
			out.Document.ExpirationDate = date(v.Day, v.Month, v.Year)
		}
	}
	if n := r.IDNumber; n != nil {
		out.IDNumber = &model.IDNumberCheck{
			Status:       enumValue(n.Status, model.CheckStatusUnknown),
			FirstName:    nullable(n.FirstName),
			LastName:     nullable(n.LastName),
			IDNumber:     nullable(n.IDNumber),
			IDNumberType: enumFromStripe(n.IDNumberType, model.IDNumberTypeUnknown),
		}
		if n.Error != nil {
			out.IDNumber.Error = checkError(n.Error.Code, n.Error.Reason)
		}
		if v := n.DOB; v != nil {
			out.IDNumber.Dob = date(v.Day, v.Month, v.Year)
		}
	}
	if s := r.Selfie; s != nil {
		out.Selfie = &model.SelfieCheck{
			Status:   enumValue(s.Status, model.CheckStatusUnknown),
			Document: nullable(s.Document),
			Selfie:   nullable(s.Selfie),
		}
		if s.Error != nil {
			out.Selfie.Error = checkError(s.Error.Code, s.Error.Reason)
		}
	}
	if e := r.Email; e != nil {
		out.Email = &model.EmailCheck{Status: enumValue(e.Status, model.CheckStatusUnknown), Email: nullable(e.Email)}
		if e.Error != nil {
			out.Email.Error = checkError(e.Error.Code, e.Error.Reason)
		}
	}
	if p := r.Phone; p != nil {
		out.Phone = &model.PhoneCheck{Status: enumValue(p.Status, model.CheckStatusUnknown), Phone: nullable(p.Phone)}
		if p.Error != nil {
			out.Phone.Error = checkError(p.Error.Code, p.Error.Reason)
		}
	}
	return out
}

// checkError converts any of the report checks' errors, which share a shape
// but not a Go type.
func checkError[C ~string](code C, reason string) *model.CheckError {
	if code == "" && reason == "" {
		return nil
	}
	return &model.CheckError{
		Code:   enumFromStripe(code, model.VerificationErrorCodeUnknown),
		Reason: nullable(reason),
	}
}
