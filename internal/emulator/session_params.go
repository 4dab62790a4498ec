package emulator

import "github.com/idgraph/idgraph/internal/emulator/form"

// The create and update parameters, applied to a session.

// sessionFromParams builds a new session from the create parameters.
func sessionFromParams(f *form.Params) (*session, *apiError) {
	s := &session{}
	if aerr := checkCreateValues(f); aerr != nil {
		return nil, aerr
	}
	typ, hasType := f.Leaf("type")
	flow, hasFlow := f.Leaf("verification_flow")
	switch {
	case hasType && hasFlow:
		return nil, invalidRequest("verification_flow", "parameters_exclusive",
			"You may only specify one of these parameters: type, verification_flow.")
	case hasFlow:
		s.Type, s.VerificationFlow = sessionTypeFlow, flow
	case hasType:
		s.Type = typ
	default:
		return nil, invalidRequest("type", "parameter_missing", "Missing required param: type.")
	}
	for param, dst := range map[string]**string{
		"client_reference_id":      &s.ClientReferenceID,
		"related_customer":         &s.RelatedCustomer,
		"related_customer_account": &s.RelatedCustomerAccount,
	} {
		if v, ok := f.Leaf(param); ok {
			*dst = ptr(v)
		}
	}
	if p := f.Get("related_person"); p != nil {
		a, _ := p.Leaf("account")
		pe, _ := p.Leaf("person")
		s.RelatedPerson = &relatedPerson{Account: a, Person: pe}
	}
	s.ReturnURL, _ = f.Leaf("return_url")
	md, aerr := applyMetadata(nil, f.Get("metadata"))
	if aerr != nil {
		return nil, aerr
	}
	s.Metadata = md
	if err := applyOptions(&s.Options, f.Get("options")); err != nil {
		return nil, err
	}
	applyProvided(s, f.Get("provided_details"))
	return s, nil
}

// applyUpdate applies the update parameters to s: a type replaces a
// verification flow; options, provided details and metadata merge.
func applyUpdate(s *session, f *form.Params) *apiError {
	if v, ok := f.Leaf("type"); ok {
		s.Type, s.VerificationFlow = v, ""
	}
	if aerr := applyOptions(&s.Options, f.Get("options")); aerr != nil {
		return aerr
	}
	applyProvided(s, f.Get("provided_details"))
	md, aerr := applyMetadata(s.Metadata, f.Get("metadata"))
	if aerr != nil {
		return aerr
	}
	s.Metadata = md
	return nil
}

// applyOptions merges options[document] into o; options[document]="" unsets it.
func applyOptions(o *sessionOptions, f *form.Params) *apiError {
	d := f.Get("document")
	if d == nil {
		return nil
	}
	if _, ok := d.Leaf(); ok {
		o.Document = nil
		return nil
	}
	doc := &documentOptions{}
	if o.Document != nil {
		*doc = *o.Document
	}
	if at := d.Get("allowed_types"); at != nil {
		doc.AllowedTypes = at.List()
	}
	for param, dst := range map[string]**bool{
		"require_id_number":       &doc.RequireIDNumber,
		"require_live_capture":    &doc.RequireLiveCapture,
		"require_matching_selfie": &doc.RequireMatchingSelfie,
	} {
		b, err := d.Bool(param)
		if err != nil {
			return invalidRequest("options[document]["+param+"]", "", "Invalid boolean: %v", err)
		}
		if b != nil {
			*dst = b
		}
	}
	o.Document = doc
	return nil
}

// applyProvided merges provided_details into s.
func applyProvided(s *session, f *form.Params) {
	if f == nil {
		return
	}
	p := &providedDetails{}
	if s.ProvidedDetails != nil {
		*p = *s.ProvidedDetails
	}
	if v, ok := f.Leaf("email"); ok {
		p.Email = v
	}
	if v, ok := f.Leaf("phone"); ok {
		p.Phone = v
	}
	s.ProvidedDetails = p
}
