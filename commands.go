package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/config"
	"github.com/idgraph/idgraph/internal/emulator"
)

// runCommand runs a subcommand when args[0] names one ("token", "apikey");
// handled is false otherwise.
func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (handled bool, err error) {
	if len(args) == 0 {
		return false, nil
	}
	switch args[0] {
	case "apikey":
		return true, runAPIKey(args[1:], stdout, stderr)
	case "token":
		return true, runToken(ctx, args[1:], getenv, stdout, stderr)
	default:
		return false, nil
	}
}

// runAPIKey prints a new server API key and the hash idgraph keeps of it.
func runAPIKey(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("idgraph apikey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: idgraph apikey\n\nPrints a new API key for a server that calls idgraph, and its SHA-256 hash for idgraph's configuration.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpIsDone(err)
	}
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key:    %s\nsha256: %s\n", key, hash)
	fmt.Fprintln(stdout, "Put the sha256 in IDGRAPH_API_KEY_SHA256 (comma-separated with any others) and give the key to the server that calls idgraph, which sends it as Authorization: Bearer <key>.")
	return nil
}

// runToken prints a development token for an end user.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("idgraph token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "the end user's ID, as your app passes it in client_reference_id (required)")
	scope := fs.String("scope", "", "space-separated scopes, e.g. \""+auth.ScopeReadOutputs+" "+auth.ScopeReadSensitive+"\"")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	secret := fs.String("hs256-secret", getenv("IDGRAPH_AUTH_HS256_SECRET"), "sign with this secret (IDGRAPH_AUTH_HS256_SECRET); default: the emulator's development secret")
	db := fs.String("emulator-db", env("IDGRAPH_EMULATOR_DB", config.DefaultEmulatorDB), "the emulator database whose development secret signs the token (IDGRAPH_EMULATOR_DB)")
	iss := fs.String("iss", getenv("IDGRAPH_AUTH_ISSUER"), "the token's issuer (IDGRAPH_AUTH_ISSUER)")
	aud := fs.String("aud", getenv("IDGRAPH_AUTH_AUDIENCE"), "the token's audience (IDGRAPH_AUTH_AUDIENCE)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: idgraph token -sub USER [-scope SCOPES] [-ttl 1h]\n\nPrints an HS256 token for an end user, for development. Flags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpIsDone(err)
	}
	if *sub == "" {
		return errors.New("token: -sub is required: the end user's ID, e.g. -sub user_42")
	}
	key := []byte(*secret)
	signedWith := "IDGRAPH_AUTH_HS256_SECRET"
	if *secret == "" {
		var err error
		if key, err = emulator.LoadDevSigningSecret(ctx, *db); err != nil {
			return fmt.Errorf("token: read the emulator's development secret: %w", err)
		}
		signedWith = "the development secret of the emulator database " + *db
	}
	token, err := auth.DevToken{
		Subject:      *sub,
		SubjectClaim: env("IDGRAPH_AUTH_SUBJECT_CLAIM", config.DefaultSubjectClaim),
		Scopes:       strings.Fields(*scope),
		TTL:          *ttl,
		Issuer:       *iss,
		Audience:     *aud,
	}.Mint(key)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintln(stdout, token)
	fmt.Fprintf(stderr, "Token for %s, valid for %v, signed with %s.\nSend it as Authorization: Bearer <token>; in GraphiQL, put this in the Headers tab:\n{\"Authorization\": \"Bearer %s\"}\n", *sub, *ttl, signedWith, token)
	return nil
}

// parseFlags parses a subcommand's flags, which take no arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s takes no arguments, not %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// helpIsDone ends a subcommand whose help was asked for without an error:
// the usage is printed.
func helpIsDone(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
