package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stripe/stripe-go/v85"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/idgraph/idgraph/internal/identity"
)

// limitedBenchHandler is benchHandler's server with QueryLimits: a page of
// 100 rich sessions from a fake that keeps no call log.
func limitedBenchHandler() http.Handler {
	page := make([]*stripe.IdentityVerificationSession, 100)
	for i := range page {
		page[i] = richSession(fmt.Sprintf("vs_%03d", 100-i))
	}
	fake := &fakeClient{forget: true}
	fake.RetrieveFunc = func(_ context.Context, id string, _ *stripe.IdentityVerificationSessionRetrieveParams) (*stripe.IdentityVerificationSession, error) {
		return richSession(id), nil
	}
	fake.ListFunc = func(context.Context, *stripe.IdentityVerificationSessionListParams) (identity.Page, error) {
		return identity.Page{Sessions: page, HasMore: true}, nil
	}
	return newLimitedHandler(fake, Limits{})
}

// checkLimits is what QueryLimits does for a document not in the cache:
// parse with the token limit, check.
func checkLimits(q *QueryLimits, query string) {
	_ = q.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: query})
}

// BenchmarkLimitPage100 sets the check of a legitimate full page beside
// the whole query served by a handler that runs it: "check" parses and
// checks the document (not in the cache), "walk" is the check without the
// parse, "cached" finds the document in the cache
// (every request after the first), "query" serves it whole; "share" times
// the check and the query alternately and reports the check's cost as a
// percentage of the query's.
func BenchmarkLimitPage100(b *testing.B) {
	q := NewQueryLimits(Limits{}, nil)
	if err := q.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: page100Query}); err != nil {
		b.Fatal(err)
	}
	h := limitedBenchHandler()
	serve := servesQuery(b, h, page100Query)
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkLimits(q, page100Query)
		}
	})
	b.Run("walk", func(b *testing.B) {
		doc, err := parser.ParseQuery(&ast.Source{Input: page100Query})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = q.Check(doc, "")
		}
	})
	b.Run("cached", func(b *testing.B) {
		cached := NewQueryLimits(Limits{}, cacheHolding(page100Query))
		b.ReportAllocs()
		for b.Loop() {
			checkLimits(cached, page100Query)
		}
	})
	b.Run("query", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serve()
		}
	})
	b.Run("share", func(b *testing.B) {
		var check, query time.Duration
		for b.Loop() {
			start := time.Now()
			checkLimits(q, page100Query)
			mid := time.Now()
			serve()
			check, query = check+mid.Sub(start), query+time.Since(mid)
		}
		b.ReportMetric(100*float64(check)/float64(query), "check-%")
	})
}

// cacheHolding is a query cache that holds query.
func cacheHolding(query string) graphql.Cache[*ast.QueryDocument] {
	c := graphql.MapCache[*ast.QueryDocument]{}
	c.Add(context.Background(), query, &ast.QueryDocument{})
	return c
}

// BenchmarkLimitCheck checks the legitimate documents and refuses the
// attacks, parse included, as QueryLimits does for a document not in the
// cache.
func BenchmarkLimitCheck(b *testing.B) {
	q := NewQueryLimits(Limits{}, nil)
	run := func(name, query string) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(query)))
			b.ReportAllocs()
			for b.Loop() {
				checkLimits(q, query)
			}
		})
	}
	for _, name := range []string{"graph's page100Query", "a full page with every field under edges and nodes", "gqlgen's full introspection query"} {
		run("legitimate/"+name, legitimateDocuments(b)[name])
	}
	for _, a := range limitAttacks() {
		run("attack/"+a.name, a.query)
	}
}

// BenchmarkLimitWorstAdmitted prices, through gqlgen's parser and
// validator, the most expensive documents the default limits let through
// that are known: validation's quadratic cases at 1,000 fields.
func BenchmarkLimitWorstAdmitted(b *testing.B) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	q := NewQueryLimits(Limits{}, nil)
	siblings := func(n int, fields string) string {
		var s strings.Builder
		s.WriteString(`{ verificationSession(id: "vs_1") {`)
		for i := range n {
			fmt.Fprintf(&s, " ...S%d", i)
		}
		s.WriteString(" } }\n")
		for i := range n {
			fmt.Fprintf(&s, "fragment S%d on VerificationSession { %s }\n", i, fields)
		}
		return s.String()
	}
	docs := []struct{ name, query string }{
		{"999 id in one selection", repeatedField("id", 999)},
		{"31 verificationSession of 31 id", "{ " + strings.Repeat(repeatedField("id", 31)[2:len(repeatedField("id", 31))-2], 31) + " }"},
		{"9 of 9 lastVerificationReport of 9 id", "{ " + strings.Repeat(`verificationSession(id: "vs_1") { `+
			strings.Repeat("lastVerificationReport { "+strings.Repeat("id ", 9)+"} ", 9)+"} ", 9) + "}"},
		{"499 fragments of one field spread together", siblings(499, "id")},
		{"249 fragments of two fields spread together", siblings(249, "id status")},
		{"a chain of 43 fragments", fragmentChain(43)},
		{"the legitimate full page, for scale", page100Query},
	}
	for _, d := range docs {
		b.Run(d.name, func(b *testing.B) {
			doc, err := parser.ParseQuery(&ast.Source{Input: d.query})
			if err != nil {
				b.Fatal(err)
			}
			if err := q.Check(doc, ""); err != nil {
				b.Fatalf("refused, so not admitted: %v", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				doc, _ := parser.ParseQuery(&ast.Source{Input: d.query})
				if errs := validator.ValidateWithRules(schema, doc, rules.NewDefaultRules()); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
	}
}
