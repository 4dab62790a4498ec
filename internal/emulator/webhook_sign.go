package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook signatures, in Stripe's scheme
// (https://docs.stripe.com/webhooks#verify-manually): the Stripe-Signature
// header is "t=<unix seconds>,v1=<hex HMAC-SHA256>", the HMAC of
// "<t>.<body>" keyed with the whole signing secret, whsec_ included, which
// is what every Stripe SDK's webhook helper checks.

// webhookSecretPrefix starts every signing secret, as on Stripe.
const webhookSecretPrefix = "whsec_"

// webhookSecretName is the settings row of the generated signing secret.
const webhookSecretName = "webhook_signing_secret"

// webhookSecretLen is the generated secret's random bytes: 32, written as
// 64 hex digits after whsec_, the shape of the secrets `stripe listen`
// prints.
const webhookSecretLen = 32

// checkWebhookSecret refuses a secret that is not whsec_ and something.
// The secret itself is never echoed.
func checkWebhookSecret(secret string) error {
	if rest, ok := strings.CutPrefix(secret, webhookSecretPrefix); !ok || rest == "" || strings.ContainsAny(rest, " \t\r\n") {
		return errors.New("the webhook signing secret must be whsec_ followed by the secret")
	}
	return nil
}

// webhookSecret returns configured when it is set, and otherwise the
// secret kept in the database, made on first use (randomSetting), so that
// a backend configured with it keeps verifying across restarts.
func webhookSecret(ctx context.Context, db *sql.DB, configured string) (string, error) {
	if configured != "" {
		return configured, checkWebhookSecret(configured)
	}
	raw, err := randomSetting(ctx, db, webhookSecretName, "webhook signing secret", webhookSecretLen)
	if err != nil {
		return "", err
	}
	return webhookSecretPrefix + hex.EncodeToString(raw), nil
}

// signWebhook returns the Stripe-Signature header of payload sent at at.
func signWebhook(secret string, at time.Time, payload []byte) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return fmt.Sprintf("t=%s,v1=%s", ts, hex.EncodeToString(mac.Sum(nil)))
}
