package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// Operations is how idgraph bounds and observes the work of each request:
// query limits, the deadline, the cost budgets, and where metrics are served.
type Operations struct {
	// Limits bound one GraphQL document (IDGRAPH_LIMIT_*); zero means
	// idgraph's default.
	Limits QueryLimits
	// MaxBodyBytes bounds a request body (IDGRAPH_MAX_BODY_BYTES).
	MaxBodyBytes int64
	// OperationTimeout is each query's and mutation's deadline, shared by
	// all its Stripe calls and their retries (IDGRAPH_OPERATION_TIMEOUT).
	OperationTimeout time.Duration
	// Budget turns the cost budgets on (IDGRAPH_BUDGET=on, the default).
	Budget bool
	// BudgetCapacity and BudgetRestoreRate size each caller's bucket, in
	// Stripe calls and Stripe calls a second (IDGRAPH_BUDGET_CAPACITY,
	// IDGRAPH_BUDGET_RESTORE_RATE).
	BudgetCapacity, BudgetRestoreRate float64
	// StripeReadRate and StripeWriteRate are the global budget's rates, in
	// operations a second, when idgraph talks to Stripe's own API
	// (IDGRAPH_STRIPE_READ_RATE, IDGRAPH_STRIPE_WRITE_RATE); zero means the
	// default for the key's mode.
	StripeReadRate, StripeWriteRate float64
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (IDGRAPH_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// RedisURL shares the budgets between replicas (IDGRAPH_REDIS_URL).
	RedisURL string
	// MetricsAddr serves /metrics on a listener of its own
	// (IDGRAPH_METRICS_ADDR); empty serves it beside /graphql.
	MetricsAddr string
}

// QueryLimits are the configured limits on a GraphQL document; zero means
// idgraph's default.
type QueryLimits struct {
	Tokens, Depth, Aliases, Fields, RootMutations, IntrospectionRoots int
}

// Defaults of the operations settings.
const (
	DefaultMaxBodyBytes      = 64 << 10
	DefaultOperationTimeout  = 10 * time.Second
	DefaultBudgetCapacity    = 1000
	DefaultBudgetRestoreRate = 50
	maxOperationTimeout      = 5 * time.Minute
)

// operationsFlags holds the raw settings while flags are parsed.
type operationsFlags struct {
	limits                                                [6]string
	body, timeout, budget, capacity, restore, read, write string
	proxies, redis, metrics                               string
}

var limitNames = [6]struct{ env, flag, what string }{
	{"IDGRAPH_LIMIT_TOKENS", "limit-tokens", "parser tokens of a document"},
	{"IDGRAPH_LIMIT_DEPTH", "limit-depth", "selection depth, fragments expanded"},
	{"IDGRAPH_LIMIT_ALIASES", "limit-aliases", "aliased fields, fragments expanded"},
	{"IDGRAPH_LIMIT_FIELDS", "limit-fields", "fields, fragments expanded"},
	{"IDGRAPH_LIMIT_MUTATIONS", "limit-mutations", "root fields of one mutation"},
	{"IDGRAPH_LIMIT_INTROSPECTION", "limit-introspection", "__schema and __type roots of one operation"},
}

func (f *operationsFlags) register(fs *flag.FlagSet, env func(name, def string) string) {
	for i, l := range limitNames {
		fs.StringVar(&f.limits[i], l.flag, env(l.env, "0"), fmt.Sprintf("most %s; 0 for idgraph's default (%s)", l.what, l.env))
	}
	fs.StringVar(&f.body, "max-body-bytes", env("IDGRAPH_MAX_BODY_BYTES", strconv.Itoa(DefaultMaxBodyBytes)), "largest request body, in bytes (IDGRAPH_MAX_BODY_BYTES)")
	fs.StringVar(&f.timeout, "operation-timeout", env("IDGRAPH_OPERATION_TIMEOUT", DefaultOperationTimeout.String()), "deadline of each query and mutation, all its Stripe calls included (IDGRAPH_OPERATION_TIMEOUT)")
	fs.StringVar(&f.budget, "budget", env("IDGRAPH_BUDGET", "on"), "cost budgets per caller and for Stripe's rate limits: on or off (IDGRAPH_BUDGET)")
	fs.StringVar(&f.capacity, "budget-capacity", env("IDGRAPH_BUDGET_CAPACITY", strconv.Itoa(DefaultBudgetCapacity)), "Stripe calls a caller may burst (IDGRAPH_BUDGET_CAPACITY)")
	fs.StringVar(&f.restore, "budget-restore-rate", env("IDGRAPH_BUDGET_RESTORE_RATE", strconv.Itoa(DefaultBudgetRestoreRate)), "Stripe calls a second a caller's bucket regains (IDGRAPH_BUDGET_RESTORE_RATE)")
	fs.StringVar(&f.read, "stripe-read-rate", env("IDGRAPH_STRIPE_READ_RATE", "0"), "read operations a second idgraph may make to Stripe's API; 0 for the default of the key's mode (IDGRAPH_STRIPE_READ_RATE)")
	fs.StringVar(&f.write, "stripe-write-rate", env("IDGRAPH_STRIPE_WRITE_RATE", "0"), "write operations a second idgraph may make to Stripe's API; 0 for the default (IDGRAPH_STRIPE_WRITE_RATE)")
	fs.StringVar(&f.proxies, "trusted-proxies", env("IDGRAPH_TRUSTED_PROXIES", ""), "comma-separated CIDRs of proxies whose X-Forwarded-For names the client (IDGRAPH_TRUSTED_PROXIES)")
	fs.StringVar(&f.redis, "redis-url", env("IDGRAPH_REDIS_URL", ""), "Redis that replicas share the budgets in, e.g. redis://localhost:6379/0 (IDGRAPH_REDIS_URL)")
	fs.StringVar(&f.metrics, "metrics-addr", env("IDGRAPH_METRICS_ADDR", ""), "serve /metrics on this host:port instead of beside /graphql (IDGRAPH_METRICS_ADDR)")
}

func (f *operationsFlags) parse() (Operations, error) {
	var (
		o    Operations
		errs []error
	)
	limits := [6]*int{&o.Limits.Tokens, &o.Limits.Depth, &o.Limits.Aliases, &o.Limits.Fields, &o.Limits.RootMutations, &o.Limits.IntrospectionRoots}
	for i, raw := range f.limits {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s must be a whole number, 0 for the default, not %q", limitNames[i].env, truncate(raw)))
		}
		*limits[i] = n
	}
	n, err := strconv.ParseInt(f.body, 10, 64)
	if err != nil || n < 1<<10 || n > 16<<20 {
		errs = append(errs, fmt.Errorf("IDGRAPH_MAX_BODY_BYTES must be a number of bytes from 1024 to 16777216, not %q", truncate(f.body)))
	}
	o.MaxBodyBytes = n
	if o.OperationTimeout, err = time.ParseDuration(f.timeout); err != nil || o.OperationTimeout < 100*time.Millisecond || o.OperationTimeout > maxOperationTimeout {
		errs = append(errs, fmt.Errorf("IDGRAPH_OPERATION_TIMEOUT must be a duration from 100ms to %v, such as 10s, not %q", maxOperationTimeout, truncate(f.timeout)))
	}
	switch f.budget {
	case "on", "true":
		o.Budget = true
	case "off", "false":
	default:
		errs = append(errs, fmt.Errorf("IDGRAPH_BUDGET must be on or off, not %q", truncate(f.budget)))
	}
	rate := func(name, raw string, min float64) float64 {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < min || v > 1e6 {
			errs = append(errs, fmt.Errorf("%s must be a number from %g to 1000000, not %q", name, min, truncate(raw)))
		}
		return v
	}
	o.BudgetCapacity = rate("IDGRAPH_BUDGET_CAPACITY", f.capacity, 1)
	o.BudgetRestoreRate = rate("IDGRAPH_BUDGET_RESTORE_RATE", f.restore, 0.001)
	o.StripeReadRate = rate("IDGRAPH_STRIPE_READ_RATE", f.read, 0)
	o.StripeWriteRate = rate("IDGRAPH_STRIPE_WRITE_RATE", f.write, 0)
	for _, p := range splitList(f.proxies) {
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("IDGRAPH_TRUSTED_PROXIES takes comma-separated CIDRs or addresses, such as 10.0.0.0/8, not %q", truncate(p)))
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		o.TrustedProxies = append(o.TrustedProxies, prefix.Masked())
	}
	if f.redis != "" {
		if u, err := url.Parse(f.redis); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			// The URL may hold a password: never echoed.
			errs = append(errs, errors.New("IDGRAPH_REDIS_URL must be a redis://, rediss:// or unix:// URL"))
		}
		o.RedisURL = f.redis
	}
	if f.metrics != "" {
		if _, port, err := net.SplitHostPort(f.metrics); err != nil || port == "" {
			errs = append(errs, fmt.Errorf("IDGRAPH_METRICS_ADDR must be host:port, such as 127.0.0.1:9090, not %q", truncate(f.metrics)))
		}
		o.MetricsAddr = f.metrics
	}
	return o, errors.Join(errs...)
}
