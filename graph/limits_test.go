package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/idgraph/idgraph/internal/auth"
	"github.com/idgraph/idgraph/internal/identity"
)

// legitimateDocuments are the largest documents idgraph's clients send;
// DefaultLimits is sized from them.
func legitimateDocuments(t testing.TB) map[string]string {
	t.Helper()
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	every := everyField(schema, "VerificationSession", true)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("vs_1Pgc76B7WZ01zgkWBdQi%04d", i))
	}
	const pageInfo = `pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }`
	return map[string]string{
		"graph's page100Query": page100Query,
		"a full page with every field under edges": `query Page($after: String) { verificationSessions(first: 100, after: $after) {
			__typename edges { __typename cursor node { ...Every } } ` + pageInfo + ` } }
			fragment Every on VerificationSession ` + every,
		"a full page with every field under edges and nodes": `query Page($after: String) { verificationSessions(first: 100, after: $after) {
			__typename edges { __typename cursor node { ...Every } } nodes { ...Every } ` + pageInfo + ` } }
			fragment Every on VerificationSession ` + every,
		"a full page with every field under edges and nodes, written out": `query Page($after: String) { verificationSessions(first: 100, after: $after) {
			__typename edges { __typename cursor node ` + every + ` } nodes ` + every + ` ` + pageInfo + ` } }`,
		"nodes of 100 IDs with every field": `query { nodes(ids: [` + strings.Join(ids, ", ") + `]) { __typename ...Every } }
			fragment Every on VerificationSession ` + every,
		"gqlgen's full introspection query":     introspection.NewQuery(introspection.QueryOptions{OneOf: true}),
		"GraphiQL 3's introspection query":      graphiQL3Introspection,
		"a mutation with five root fields":      createMutations(5),
		"a dashboard of a list per status":      statusDashboard,
		"two operations, the smaller one named": "query Small { __typename }\nquery Page " + page100Query,
	}
}

// everyField writes a selection of every field of the named type, nested
// objects included, with __typename in every selection set.
func everyField(schema *ast.Schema, name string, typename bool) string {
	var b strings.Builder
	var write func(def *ast.Definition)
	onPath := map[string]bool{} // the schema has cycles (a report's session)
	write = func(def *ast.Definition) {
		onPath[def.Name] = true
		defer delete(onPath, def.Name)
		b.WriteString("{")
		if typename {
			b.WriteString(" __typename")
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			t := schema.Types[f.Type.Name()]
			if t.Kind == ast.Object && onPath[t.Name] {
				continue
			}
			b.WriteString(" " + f.Name)
			if t.Kind == ast.Object {
				b.WriteString(" ")
				write(t)
			}
		}
		b.WriteString(" }")
	}
	write(schema.Types[name])
	return b.String()
}

// statusDashboard aliases a list per status, the most aliases a legitimate
// client is known to want.
const statusDashboard = `{
  pending: verificationSessions(filter: {status: REQUIRES_INPUT}) { nodes { id created } }
  processing: verificationSessions(filter: {status: PROCESSING}) { nodes { id created } }
  verified: verificationSessions(filter: {status: VERIFIED}) { nodes { id created } }
  canceled: verificationSessions(filter: {status: CANCELED}) { nodes { id created } }
}`

// graphiQL3Introspection is the introspection query GraphiQL 3 sends from
// gqlgen's playground: graphql-js 16's getIntrospectionQuery with
// inputValueDeprecation, which the playground sets, and the other options
// at their defaults.
const graphiQL3Introspection = `
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      ...FullType
    }
    directives {
      name
      description
      locations
      args(includeDeprecated: true) {
        ...InputValue
      }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) {
      ...InputValue
    }
    type {
      ...TypeRef
    }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) {
    ...InputValue
  }
  interfaces {
    ...TypeRef
  }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes {
    ...TypeRef
  }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
              }
            }
          }
        }
      }
    }
  }
}
`

// The attacks: documents small to send and expensive for gqlgen.

// fragmentBomb is n fragments, each spreading the previous one twice: 2^n
// fields in about 40 bytes a level.
func fragmentBomb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query { ...Bomb%d }\nfragment Bomb0 on Query { __typename }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment Bomb%d on Query { ...Bomb%d ...Bomb%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// introspectionAliases is n aliased __schema roots of n aliased types each.
func introspectionAliases(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " s%d: __schema {", i)
		for j := range n {
			fmt.Fprintf(&b, " t%d: types { name kind description }", j)
		}
		b.WriteString(" }")
	}
	b.WriteString(" }")
	return b.String()
}

// repeated is one selection set of n copies of field.
func repeatedField(field string, n int) string {
	return "{ verificationSession(id: \"vs_1\") { " + strings.Repeat(field+" ", n) + "} }"
}

// aliased is n aliases of field at the root.
func aliasedFields(field string, n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// mutations is one mutation of n aliased createVerificationSession.
func createMutations(n int) string {
	var b strings.Builder
	b.WriteString("mutation {")
	for i := range n {
		fmt.Fprintf(&b, " c%d: createVerificationSession(input: {type: DOCUMENT}) { verificationSession { id } }", i)
	}
	b.WriteString(" }")
	return b.String()
}

// inlineNesting nests n fields, each in an inline fragment.
func inlineNesting(n int) string {
	return `{ verificationSession(id: "vs_1") {` +
		strings.Repeat(` ... on VerificationSession { lastVerificationReport {`, n) + " id" +
		strings.Repeat(" } }", n) + " } }"
}

// fragmentNesting nests n fields, each in a fragment of its own.
func fragmentNesting(n int) string {
	var b strings.Builder
	b.WriteString("{ ...Deep0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment Deep%d on Query { deeper { ...Deep%d } }\n", i, i+1)
	}
	fmt.Fprintf(&b, "fragment Deep%d on Query { __typename }\n", n)
	return b.String()
}

// fragmentChain is n fragments, each spreading the previous one once: n
// fields in the operation, n²/2 once every fragment is validated alone.
func fragmentChain(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ ...Chain%d }\nfragment Chain0 on Query { __typename }\n", n-1)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "fragment Chain%d on Query { ...Chain%d __typename }\n", i, i-1)
	}
	return b.String()
}

type limitAttack struct {
	name      string
	query     string
	operation string
	code      string
}

func limitAttacks() []limitAttack {
	validation, parse := errcode.ValidationFailed, errcode.ParseFailed
	return []limitAttack{
		{"24 levels of fragments spreading the previous twice", fragmentBomb(24), "", string(CodeFieldLimit)},
		{"40 levels of fragments spreading the previous twice", fragmentBomb(40), "", string(CodeFieldLimit)},
		{"70 levels of fragments saturate the count", fragmentBomb(70), "", string(CodeFieldLimit)},
		{"20 aliased __schema of 20 aliased types", introspectionAliases(20), "", string(CodeIntrospectionLimit)},
		{"two __schema roots", `{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, "", string(CodeIntrospectionLimit)},
		{"__schema and __type", `{ __schema { queryType { name } } __type(name: "Query") { name } }`, "", string(CodeIntrospectionLimit)},
		{"a __schema fragment spread twice", `{ ...Intro ...Intro } fragment Intro on Query { __schema { queryType { name } } }`, "", string(CodeIntrospectionLimit)},
		{"one __schema of 20 aliased types with every field", `{ __schema { ` + aliasedTypes(20) + ` } }` + fullTypeFragments(), "", string(CodeFieldLimit)},
		{"23,000 __typename (253 KB) are over the token limit", `{ ` + strings.Repeat("__typename ", 23000) + `}`, "", string(CodeTokenLimit)},
		{"2,000 __typename are under the token limit, over the field limit", `{ ` + strings.Repeat("__typename ", 2000) + `}`, "", string(CodeFieldLimit)},
		{"21,000 id are over the token limit", repeatedField("id", 21000), "", string(CodeTokenLimit)},
		{"1,500 id are under the token limit, over the field limit", repeatedField("id", 1500), "", string(CodeFieldLimit)},
		{"1,000 aliased __typename", aliasedFields("__typename", 1000), "", string(CodeAliasLimit)},
		{"an alias bomb of fragments", aliasBomb, "", string(CodeAliasLimit)},
		{"100 aliased verificationSession", aliasedFields(`verificationSession(id: "vs_1") { id }`, 100), "", string(CodeAliasLimit)},
		{"100 aliased createVerificationSession", createMutations(100), "", string(CodeMutationLimit)},
		{"6 createVerificationSession", createMutations(6), "", string(CodeMutationLimit)},
		{"6 root mutations through fragments", `mutation { ...Three ...Three } fragment Three on Mutation {
			a: cancelVerificationSession(input: {id: "vs_1"}) { userErrors { code } }
			b: cancelVerificationSession(input: {id: "vs_2"}) { userErrors { code } }
			... on Mutation { c: cancelVerificationSession(input: {id: "vs_3"}) { userErrors { code } } } }`, "", string(CodeMutationLimit)},
		{"deep nesting through inline fragments", inlineNesting(40), "", string(CodeDepthLimit)},
		{"deep nesting through fragments", fragmentNesting(100), "", string(CodeDepthLimit)},
		{"deep nesting through 800 fragments", fragmentNesting(800), "", string(CodeTokenLimit)},
		{"a chain of 60 fragments validated one by one", fragmentChain(60), "", string(CodeFieldLimit)},
		{"an unused fragment bomb", "{ __typename }\n" + strings.TrimPrefix(fragmentBomb(30), "query { ...Bomb30 }\n"), "", string(CodeFieldLimit)},
		{"a bomb in an operation other than the named one", "query Small { __typename }\n" + strings.Replace(fragmentBomb(30), "query {", "query Big {", 1), "Small", string(CodeFieldLimit)},
		{"two __schema in an operation other than the named one", "query Small { __typename }\nquery Big { a: __schema { queryType { name } } b: __schema { queryType { name } } }", "Small", string(CodeIntrospectionLimit)},
		{"a fragment cycle", `{ ...Ping } fragment Ping on Query { ...Pong } fragment Pong on Query { __typename ...Ping }`, "", validation},
		{"a fragment that spreads itself", `{ ...Self } fragment Self on Query { ...Self }`, "", validation},
		{"an unknown fragment", `{ ...Nowhere }`, "", validation},
		{"an unknown fragment in a fragment", `{ ...Somewhere } fragment Somewhere on Query { ...Nowhere }`, "", validation},
		{"a document that does not parse", `{ verificationSession(id: "vs_1") { id }`, "", parse},
	}
}

// aliasBomb is 8 aliases in a fragment spread 8 times: 64 aliases.
const aliasBomb = `{ ...Eight ...Eight ...Eight ...Eight ...Eight ...Eight ...Eight ...Eight }
fragment Eight on Query { a: __typename b: __typename c: __typename d: __typename e: __typename f: __typename g: __typename h: __typename }`

// aliasedTypes is n aliases of __schema's types, each with the full type
// fragment of an introspection query.
func aliasedTypes(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " t%d: types { ...FullType }", i)
	}
	return b.String()
}

// fullTypeFragments are the fragments of GraphiQL 3's introspection query.
func fullTypeFragments() string {
	_, fragments, _ := strings.Cut(graphiQL3Introspection, "fragment FullType")
	return "\nfragment FullType" + fragments
}

// parseLimited parses query as QueryLimits does, with l's token limit.
func parseLimited(t testing.TB, q *QueryLimits, query string) (*ast.QueryDocument, *gqlerror.Error) {
	t.Helper()
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, q.limits.Tokens)
	if err != nil {
		return nil, q.parseError(err)
	}
	return doc, nil
}

func TestQueryLimitsRefuseAttacks(t *testing.T) {
	q := NewQueryLimits(Limits{}, nil)
	for _, tt := range limitAttacks() {
		t.Run(tt.name, func(t *testing.T) {
			err := q.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: tt.query, OperationName: tt.operation})
			if err == nil {
				t.Fatalf("accepted, want %s", tt.code)
			}
			if code, _ := err.Extensions["code"].(string); code != tt.code {
				t.Errorf("code %q (%s), want %s", code, err.Message, tt.code)
			}
			if strings.Contains(tt.code, "LIMIT") && !strings.Contains(err.Message, "limit is ") {
				t.Errorf("message %q does not give the limit", err.Message)
			}
			// Names are the document's: any length, the client's own.
			for _, name := range []string{"Bomb", "Intro", "Eight", "Three", "Deep", "Chain", "Small", "Big", "Ping", "Pong", "Self", "Nowhere", "Somewhere"} {
				if strings.Contains(err.Message, name) {
					t.Errorf("message %q quotes the document (%s)", err.Message, name)
				}
			}
		})
	}
}

func TestQueryLimitMessages(t *testing.T) {
	q := NewQueryLimits(Limits{}, nil)
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"the token limit says the limit", `{ ` + strings.Repeat("__typename ", 6000) + `}`,
			"The document has more than 6000 tokens; the limit is 6000."},
		{"the field limit says how many", `{ ` + strings.Repeat("__typename ", 1200) + `}`,
			"The operation selects 1200 fields after fragment expansion; the limit is 1000."},
		{"a saturated count says so", fragmentBomb(70),
			fmt.Sprintf("The operation selects more than %d fields after fragment expansion; the limit is 1000.", int(^uint(0)>>1)-1)},
		{"the document's fields count fragments alone", fragmentChain(60),
			"The document selects 1890 fields after fragment expansion, counting each fragment definition on its own besides where it is spread; the limit is 1000."},
		{"the mutation limit says to split", createMutations(7),
			"The mutation has 7 root fields after fragment expansion; the limit is 5: send the others in another request."},
		{"the depth limit says how deep", inlineNesting(40),
			"The operation nests fields 42 deep after fragment expansion; the limit is 32."},
		{"the alias limit says how many", aliasBomb,
			"The operation has 64 aliased fields after fragment expansion; the limit is 32."},
		{"the introspection limit says how many", introspectionAliases(3),
			"The operation has 3 __schema or __type fields; the limit is 1."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := q.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: tt.query})
			if err == nil || err.Message != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// The token limit is told from other parse errors by gqlparser's message.
func TestTokenLimitIsToldByGqlparsersMessage(t *testing.T) {
	_, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: "{ a b c }"}, 3)
	if gqlErr, ok := err.(*gqlerror.Error); !ok || gqlErr.Message != "exceeded token limit of 3" {
		t.Fatalf("gqlparser's token limit error is %v; QueryLimits.parseError must follow it", err)
	}
}

func TestLegitimateDocumentsFitTheDefaults(t *testing.T) {
	l := DefaultLimits()
	q := NewQueryLimits(l, nil)
	for name, query := range legitimateDocuments(t) {
		t.Run(name, func(t *testing.T) {
			m := measureLimits(t, query)
			t.Logf("%d bytes, %d tokens, depth %d, %d aliases, %d fields (%d in the document), %d introspection roots",
				len(query), m.tokens, m.op.depth, m.op.aliases, m.op.fields, m.docFields, m.op.introspection)
			if err := q.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: query}); err != nil {
				t.Fatalf("refused: %v", err)
			}
			// The headroom DefaultLimits promises.
			if m.tokens*10 > l.Tokens || m.op.depth*2 > l.Depth || m.op.fields*2 > l.Fields || m.docFields > l.Fields || m.op.aliases*4 > l.Aliases {
				t.Errorf("less headroom than DefaultLimits says: %+v against %+v", m, l)
			}
		})
	}
}

func TestZeroLimitsTakeTheDefaults(t *testing.T) {
	tests := []struct {
		name  string
		given Limits
		want  Limits
	}{
		{"zero limits are the defaults", Limits{}, DefaultLimits()},
		{"a negative limit is the default", Limits{Depth: -1}, DefaultLimits()},
		{"a given limit is kept, the others default", Limits{Fields: 10},
			func() Limits { d := DefaultLimits(); d.Fields = 10; return d }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewQueryLimits(tt.given, nil).limits; got != tt.want {
				t.Errorf("limits %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLimitsCountAfterFragmentExpansion(t *testing.T) {
	q := NewQueryLimits(Limits{Tokens: 1 << 20, Depth: 1 << 20, Aliases: 1 << 20, Fields: 1 << 20, RootMutations: 1 << 20, IntrospectionRoots: 1 << 20}, nil)
	tests := []struct {
		name  string
		query string
		want  docSize
	}{
		{"a field is one field at depth one", `{ __typename }`, docSize{fields: 1, depth: 1, top: 1}},
		{"an alias of the same name is no alias", `{ __typename: __typename }`, docSize{fields: 1, depth: 1, top: 1}},
		{"inline fragments add fields, not depth", `{ ... on Query { a: __typename ... @skip(if: true) { b: __typename } } }`,
			docSize{fields: 2, aliases: 2, depth: 1, top: 2}},
		{"a fragment counts at each spread", `{ ...Two x: node(id: "1") { ...Two } } fragment Two on Query { a: __typename b: __typename }`,
			docSize{fields: 5, aliases: 5, depth: 2, top: 3}},
		{"a nested spread adds its depth below the spread", `{ verificationSession(id: "1") { ...Deep } } fragment Deep on VerificationSession { lastError { code } }`,
			docSize{fields: 3, depth: 3, top: 1}},
		{"introspection fields count at any depth", `{ __schema { types { name } } node(id: "1") { ... on Query { __type(name: "X") { name } } } }`,
			docSize{fields: 6, introspection: 2, depth: 3, top: 2}},
		{"40 levels of doubling hold 2^40 fields", fragmentBomb(40), docSize{fields: 1 << 40, depth: 1, top: 1 << 40}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseLimited(t, q, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			c := newLimitChecker(doc)
			if err := c.sizeFragments(); err != nil {
				t.Fatal(err)
			}
			got, err := c.expand(len(doc.Fragments))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("size %+v, want %+v", got, tt.want)
			}
		})
	}
}

// The check's work is linear in the document: each selection is visited
// once, each spread followed twice (to order the fragments and to add up
// their sizes), each fragment sized once, whatever the spreads multiply.
func TestLimitCheckWorkIsLinear(t *testing.T) {
	q := NewQueryLimits(Limits{}, nil)
	docs := map[string]string{}
	for name, query := range legitimateDocuments(t) {
		docs[name] = query
	}
	for _, a := range limitAttacks() {
		docs[a.name] = a.query
	}
	for name, query := range docs {
		t.Run(name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: query}) // no token limit: the check alone
			if err != nil {
				t.Skip("does not parse")
			}
			n := countNodes(doc)
			work, _ := q.check(doc, "")
			if work.selections > n.selections || work.spreads > 2*n.spreads || work.fragments > n.fragments {
				t.Errorf("work %+v for %+v", work, n)
			}
			if total := work.selections + work.spreads + work.fragments; total > 10*n.total() {
				t.Errorf("work %d for %d AST nodes", total, n.total())
			}
		})
	}
	t.Run("the 40-level bomb sizes 41 fragments", func(t *testing.T) {
		doc, err := parser.ParseQuery(&ast.Source{Input: fragmentBomb(40)})
		if err != nil {
			t.Fatal(err)
		}
		work, err2 := q.check(doc, "")
		if err2 == nil {
			t.Fatal("accepted")
		}
		// 80 spreads between fragments, followed twice; one in the operation.
		if want := (checkWork{selections: 1 + 1 + 80, spreads: 2*80 + 1, fragments: 41}); work != want {
			t.Errorf("work %+v, want %+v", work, want)
		}
	})
}

// astNodes counts a document's definitions and selections.
type astNodes struct{ selections, spreads, fragments, operations int }

func (n astNodes) total() int { return n.selections + n.fragments + n.operations }

func countNodes(doc *ast.QueryDocument) astNodes {
	n := astNodes{fragments: len(doc.Fragments), operations: len(doc.Operations)}
	var count func(ast.SelectionSet)
	count = func(set ast.SelectionSet) {
		for _, sel := range set {
			n.selections++
			switch sel := sel.(type) {
			case *ast.Field:
				count(sel.SelectionSet)
			case *ast.InlineFragment:
				count(sel.SelectionSet)
			case *ast.FragmentSpread:
				n.spreads++
			}
		}
	}
	for _, f := range doc.Fragments {
		count(f.SelectionSet)
	}
	for _, op := range doc.Operations {
		count(op.SelectionSet)
	}
	return n
}

// The check keeps its own stacks: no document nests it into a stack
// overflow, and a cycle through many fragments is found.
func TestLimitCheckOfHugeDocuments(t *testing.T) {
	q := NewQueryLimits(Limits{}, nil)
	cycle := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ...C0 }\n")
		for i := range n {
			fmt.Fprintf(&b, "fragment C%d on Query { __typename ...C%d }\n", i, (i+1)%n)
		}
		return b.String()
	}
	tests := []struct {
		name  string
		query string
		code  string
	}{
		{"a chain of 20,000 fragments", fragmentChain(20000), string(CodeFieldLimit)},
		{"a cycle through 20,000 fragments", cycle(20000), errcode.ValidationFailed},
		{"fields nested through 20,000 fragments", fragmentNesting(20000), string(CodeDepthLimit)},
		{"inline fragments nested as deep as the parser allows", "{" + strings.Repeat(" ... on Query {", parser.MaxNestingDepth-1) +
			" __typename" + strings.Repeat(" }", parser.MaxNestingDepth-1) + " }", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, perr := parser.ParseQuery(&ast.Source{Input: tt.query})
			if perr != nil {
				t.Fatal(perr)
			}
			err := q.Check(doc, "")
			var code string
			if err != nil {
				code, _ = err.Extensions["code"].(string)
			}
			if code != tt.code {
				t.Errorf("error %v, want code %q", err, tt.code)
			}
		})
	}
}

// A document in the query cache passed gqlgen's validation and these limits
// before: it is not parsed again.
func TestCachedDocumentsAreNotChecked(t *testing.T) {
	cache := lru.New[*ast.QueryDocument](10)
	q := NewQueryLimits(Limits{}, cache)
	query := fragmentBomb(40)
	params := func() *graphql.RawParams { return &graphql.RawParams{Query: query} }
	if err := q.MutateOperationParameters(context.Background(), params()); err == nil {
		t.Fatal("the bomb is accepted before it is cached")
	}
	cache.Add(context.Background(), query, &ast.QueryDocument{})
	if err := q.MutateOperationParameters(context.Background(), params()); err != nil {
		t.Errorf("a cached document is checked: %v", err)
	}
}

// newLimitedHandler is newServer's gqlgen server with QueryLimits after
// APQ, as the caller with a server key.
func newLimitedHandler(c identity.Client, l Limits) http.Handler {
	logger := discardLogger()
	queries := lru.New[*ast.QueryDocument](1000)
	srv := handler.New(NewExecutableSchema(Config{
		Resolvers:  &Resolver{Identity: c},
		Directives: directives(),
		Complexity: complexity(),
	}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(queries)
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(NewQueryLimits(l, queries))
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.AroundFields(MarkResolverErrors)
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(Recover(logger))
	return asCaller(srv, auth.Principal{Kind: auth.Server})
}

// post sends one request body to h and decodes the answer.
func postLimited(t *testing.T, h http.Handler, body map[string]any) (int, result) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var r result
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	r.Body = w.Body.String()
	return w.Code, r
}

func TestQueryLimitsInTheHandler(t *testing.T) {
	for _, tt := range limitAttacks() {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			fake := newFake(t)
			status, r := postLimited(t, newLimitedHandler(fake, Limits{}), map[string]any{"query": tt.query, "operationName": tt.operation})
			if status >= 500 || len(r.Errors) == 0 || r.Errors[0].code() != tt.code {
				t.Errorf("status %d, errors %v: want %s", status, r.codes(), tt.code)
			}
			if calls := fake.Calls(); len(calls) != 0 {
				t.Errorf("calls %v, want none", ops(calls))
			}
		})
	}
	limitCodes := map[string]bool{}
	for _, c := range []Code{CodeTokenLimit, CodeDepthLimit, CodeAliasLimit, CodeFieldLimit, CodeMutationLimit, CodeIntrospectionLimit} {
		limitCodes[string(c)] = true
	}
	for name, query := range legitimateDocuments(t) {
		t.Run(name+" is not refused", func(t *testing.T) {
			body := map[string]any{"query": query}
			if doc, err := parser.ParseQuery(&ast.Source{Input: query}); err == nil && len(doc.Operations) > 1 {
				body["operationName"] = doc.Operations[0].Name
			}
			_, r := postLimited(t, newLimitedHandler(allOK(t), Limits{}), body)
			for _, code := range r.codes() {
				// Other refusals are not these limits' (the complexity limit).
				if limitCodes[code] || code == errcode.ValidationFailed || code == errcode.ParseFailed {
					t.Errorf("errors %v: %s", r.codes(), r.Body)
				}
			}
		})
	}
	t.Run("a bomb sent by its persisted hash is refused", func(t *testing.T) {
		fake := newFake(t)
		h := newLimitedHandler(fake, Limits{})
		query := fragmentBomb(40)
		sum := sha256.Sum256([]byte(query))
		persisted := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
		// APQ keeps the query it is sent before the limits refuse it; the
		// hash alone then brings it back.
		for _, body := range []map[string]any{
			{"query": query, "extensions": persisted},
			{"extensions": persisted},
		} {
			if _, r := postLimited(t, h, body); len(r.Errors) == 0 || r.Errors[0].code() != string(CodeFieldLimit) {
				t.Errorf("errors %v, want %s: %s", r.codes(), CodeFieldLimit, r.Body)
			}
		}
		if calls := fake.Calls(); len(calls) != 0 {
			t.Errorf("calls %v, want none", ops(calls))
		}
	})
	t.Run("five mutations are served", func(t *testing.T) {
		fake := allOK(t)
		_, r := postLimited(t, newLimitedHandler(fake, Limits{}), map[string]any{"query": createMutations(5)})
		if len(r.Errors) > 0 || len(fake.Calls()) != 5 {
			t.Errorf("errors %v, %d calls: want 5 creates", r.codes(), len(fake.Calls()))
		}
	})
}

// limitMeasures is what the limits see in a document.
type limitMeasures struct {
	tokens    int
	op        docSize // the largest of each over the operations
	docFields int
}

func measureLimits(t testing.TB, query string) limitMeasures {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	c := newLimitChecker(doc)
	if err := c.sizeFragments(); err != nil {
		t.Fatalf("size: %v", err)
	}
	m := limitMeasures{tokens: parserTokens(t, query)}
	for _, s := range c.expanded {
		m.docFields += s.fields
	}
	for i := range doc.Operations {
		s, err := c.expand(len(doc.Fragments) + i)
		if err != nil {
			t.Fatalf("size: %v", err)
		}
		m.docFields += s.fields
		m.op.fields = max(m.op.fields, s.fields)
		m.op.aliases = max(m.op.aliases, s.aliases)
		m.op.depth = max(m.op.depth, s.depth)
		m.op.top = max(m.op.top, s.top)
		m.op.introspection = max(m.op.introspection, s.introspection)
	}
	return m
}

// parserTokens is the fewest tokens the parser accepts query with.
func parserTokens(t testing.TB, query string) int {
	t.Helper()
	parses := func(limit int) bool {
		_, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, limit)
		return err == nil
	}
	hi := 1
	for !parses(hi) {
		hi *= 2
	}
	lo := hi/2 + 1
	for lo < hi {
		if mid := (lo + hi) / 2; parses(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}
