package emulator

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/idgraph/idgraph/internal/emulator/form"
)

// The formats Stripe checks in parameter values beyond their types (which
// form.Validate checks against the spec): return_url, the provided email and
// phone, and the IDs of related objects and of a verification flow.
//
// Where Stripe's answer is known, it is Stripe's: url_invalid with "Not a
// valid URL" (Stripe's error code list, https://docs.stripe.com/error-codes,
// and the message Checkout answers for a bad success_url), email_invalid
// with "Invalid email address: …" (the code and message of Stripe's email
// parameters), and resource_missing "No such customer: '…'" for an ID that
// names nothing. The phone number's message and the verification flow's
// are the emulator's; doc.go lists them.

// checkCreateValues checks the values of a create's parameters, in a fixed
// order, and returns the first refusal.
func checkCreateValues(f *form.Params) *apiError {
	if v, ok := f.Leaf("return_url"); ok {
		if aerr := checkReturnURL(v); aerr != nil {
			return aerr
		}
	}
	if aerr := checkProvidedValues(f.Get("provided_details")); aerr != nil {
		return aerr
	}
	for _, c := range []struct {
		path   []string
		prefix string
		object string
	}{
		{[]string{"verification_flow"}, "vf_", "VerificationFlow"},
		{[]string{"related_customer"}, "cus_", "customer"},
		{[]string{"related_customer_account"}, "acct_", "account"},
		{[]string{"related_person", "account"}, "acct_", "account"},
		{[]string{"related_person", "person"}, "person_", "person"},
	} {
		if v, ok := f.Leaf(c.path...); ok && !wellFormedID(v, c.prefix) {
			return invalidRequest(form.ParamName(c.path), "resource_missing", "No such %s: '%s'", c.object, v)
		}
	}
	return nil
}

// checkProvidedValues checks provided_details[email] and [phone], on
// create and on update.
func checkProvidedValues(f *form.Params) *apiError {
	if v, ok := f.Leaf("email"); ok && !validEmail(v) {
		return invalidRequest("provided_details[email]", "email_invalid", "Invalid email address: %s", form.Abbreviate(v))
	}
	if v, ok := f.Leaf("phone"); ok && !validPhone(v) {
		return invalidRequest("provided_details[phone]", "",
			"Invalid phone number: %s. Use the E.164 format: a +, the country code and the number, such as +14155550100.", form.Abbreviate(v))
	}
	return nil
}

// checkReturnURL refuses a return_url that is not an absolute http or https
// URL with a host: the hosted page redirects the browser there, so a
// javascript: or relative URL would be a hazard or go nowhere.
func checkReturnURL(v string) *apiError {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" ||
		strings.ContainsAny(v, " \t\r\n") {
		return invalidRequest("return_url", "url_invalid", "Not a valid URL")
	}
	return nil
}

// validEmail accepts an address of the form local@domain, domain with a
// dot, and nothing else: no display name, no spaces, no angle brackets.
func validEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	domain := v[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") &&
		!strings.Contains(domain, "..")
}

// e164 is a phone number in E.164: +, a country code that does not start
// with 0, at most 15 digits in all.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// validPhone accepts an E.164 number, written with or without spaces,
// hyphens, dots and parentheses between its digits.
func validPhone(v string) bool {
	digits := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, v)
	return e164.MatchString(digits)
}

// wellFormedID tells whether v has the shape of a Stripe ID with prefix:
// the prefix and letters and digits. The emulator keeps no customers,
// accounts, persons or flows, so a well-formed ID is taken as existing.
func wellFormedID(v, prefix string) bool {
	rest, ok := strings.CutPrefix(v, prefix)
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
