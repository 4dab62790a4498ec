package auth

// The messages of UnauthenticatedError: the one catalogue of what can be
// wrong with a credential. They go to the client, in the body and in
// WWW-Authenticate's error_description, so they never quote the credential
// and never carry a library's error text; and they hold no double quote or
// backslash, which RFC 6750 leaves out of error_description.
const (
	msgMissing          = "authentication required: send an Authorization header with Bearer and a token"
	msgHeader           = "malformed Authorization header: expected Bearer followed by exactly one token"
	msgTooLong          = "credential is too long"
	msgMalformed        = "token is malformed"
	msgHeaderParams     = "token uses header parameters that are not supported (crit, b64)"
	msgAlgNone          = "unsigned tokens (alg none) are not accepted"
	msgAlgorithm        = "token signing algorithm is not accepted"
	msgKeyMismatch      = "token signing algorithm does not match its key"
	msgUnknownKey       = "token is signed with an unknown key"
	msgKeysUnavailable  = "token signing keys are unavailable: try again later"
	msgSignature        = "token signature is invalid"
	msgClaims           = "token claims are malformed"
	msgExpired          = "token has expired"
	msgNotYetValid      = "token is not valid yet"
	msgIssuedInFuture   = "token was issued in the future"
	msgNoExpiry         = "token has no expiry (exp)"
	msgIssuer           = "token issuer (iss) is not the one expected"
	msgAudience         = "token audience (aud) does not include this service"
	msgNoSubject        = "token has no subject"
	msgAPIKeyMalformed  = "API key is malformed"
	msgAPIKeyNotAllowed = "API key is not valid"
)

// unauthenticated is the refusal of a credential for the reason msg, one of
// the messages above.
func unauthenticated(msg string) *UnauthenticatedError {
	return &UnauthenticatedError{Message: msg}
}
