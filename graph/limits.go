package graph

import (
	"context"
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// This file bounds the size of a GraphQL document before gqlgen spends
// anything on it. gqlgen validates a document and walks it for complexity
// by visiting a fragment again at every spread, so a kilobyte of fragments
// that each spread the previous one twice costs exponential time; some
// validation rules are quadratic in the fields of a selection. QueryLimits
// measures the document in one linear pass instead, each fragment once, and
// refuses it before gqlgen parses, validates or prices it.

// The codes of the errors QueryLimits returns. A document the parser
// refuses for another reason gets gqlgen's GRAPHQL_PARSE_FAILED, and one
// whose fragments spread themselves or a fragment the document does not
// define gets GRAPHQL_VALIDATION_FAILED, as validation would give them.
const (
	CodeTokenLimit         Code = "TOKEN_LIMIT_EXCEEDED"
	CodeDepthLimit         Code = "DEPTH_LIMIT_EXCEEDED"
	CodeAliasLimit         Code = "ALIAS_LIMIT_EXCEEDED"
	CodeFieldLimit         Code = "FIELD_LIMIT_EXCEEDED"
	CodeMutationLimit      Code = "MUTATION_LIMIT_EXCEEDED"
	CodeIntrospectionLimit Code = "INTROSPECTION_LIMIT_EXCEEDED"
)

// Limits bound one GraphQL document; zero fields take the defaults.
//
// Fields, aliases and depth are counted after fragment expansion: a
// fragment counts wherever it is spread, and inline fragments and fields
// under @skip or @include count as if included, so that no bound depends on
// the variables.
type Limits struct {
	// Tokens bounds the parser's tokens (punctuation, names, values and
	// comments each count one): gqlparser's token limit.
	Tokens int
	// Depth bounds how deep fields nest in an operation, its root fields
	// being at depth 1. Inline fragments and spreads add no depth.
	Depth int
	// Aliases bounds the aliased fields of an operation (a field whose
	// alias is its name is not aliased).
	Aliases int
	// Fields bounds the fields of an operation (__typename included) and,
	// separately, of the whole document: every operation plus every
	// fragment definition on its own, since gqlgen validates all the
	// operations of a document and each fragment definition by itself,
	// besides where it is spread, whichever operation is executed.
	Fields int
	// RootMutations bounds the root fields of one mutation operation: each
	// is a Stripe call that changes something, and the complexity limit,
	// sized for reads, would allow hundreds.
	RootMutations int
	// IntrospectionRoots bounds the __schema and __type fields of one
	// operation. Their own fields count in Fields like any other.
	IntrospectionRoots int
}

// DefaultLimits returns the limits idgraph serves with. They are sized from
// the largest legitimate documents, as TestLegitimateDocumentsFitTheDefaults
// measures them (tokens; depth; fields of the operation; fields of the
// document, each fragment counted on its own too):
//
//   - a full page of 100 sessions with every field of the schema, under both
//     edges and nodes, pageInfo, and __typename in every selection set as
//     Apollo Client adds it: 267 tokens (472 with the fragment written out
//     twice), depth 7, 327 fields, 484 in the document; under edges only, 169
//     and 326; graph's page100Query, 135 and 261;
//   - nodes of 100 IDs written out, with every field and __typename: 336
//     tokens, depth 5, 159 fields, 316 in the document;
//   - gqlgen's full introspection query with isOneOf, a superset of what
//     GraphiQL 3 sends: 181 tokens, depth 15, one __schema, 227 fields, 468 in
//     the document (GraphiQL 3's own: 167 tokens, depth 13, 187 and 384).
//
// The most aliases are a dashboard's (a list per status, 4) and a batch of
// mutations (5). Tokens, depth and aliases get wide headroom: what they
// bound is linear. Fields is the tight one, about twice the largest
// document, because gqlgen's validation is quadratic in fields that share a
// response name and in fragments spread into one selection
// (OverlappingFieldsCanBeMerged). The most expensive documents known within
// 1,000 fields cost it 80 to 110 ms, and 250 ms for 499 one-field
// fragments spread side by side (BenchmarkLimitWorstAdmitted), where the
// full page above takes about 30 ms served whole; 2,500 fields would cost
// 0.3 to 0.6 s.
func DefaultLimits() Limits {
	return Limits{
		Tokens:             6000, // 10 times the largest legitimate document (504)
		Depth:              32,   // twice introspection's 15; data nests 7 at most
		Aliases:            32,   // 6 times the most a legitimate document has (5)
		Fields:             1000, // twice the largest legitimate operation (351)
		RootMutations:      5,
		IntrospectionRoots: 1,
	}
}

// withDefaults returns l with its zero (or negative) fields set to the
// defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	return Limits{
		Tokens:             pick(l.Tokens, d.Tokens),
		Depth:              pick(l.Depth, d.Depth),
		Aliases:            pick(l.Aliases, d.Aliases),
		Fields:             pick(l.Fields, d.Fields),
		RootMutations:      pick(l.RootMutations, d.RootMutations),
		IntrospectionRoots: pick(l.IntrospectionRoots, d.IntrospectionRoots),
	}
}

// QueryLimits is a gqlgen handler extension that refuses a document over
// its Limits before gqlgen parses, validates and prices it: it parses the
// raw query once with the token limit and checks the parsed document in
// one linear pass.
type QueryLimits struct {
	limits Limits
	cache  graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*QueryLimits)(nil)

// NewQueryLimits returns the extension for l (zero fields take the
// defaults). cache is the server's query cache (nil: none): a document
// found there passed gqlgen's validation earlier, so it passed these limits
// too and is not parsed again.
//
// Register it after extension.AutomaticPersistedQuery: gqlgen runs
// parameter mutators in the order they were added, and only after APQ has
// turned a persisted hash into its query is there a query to check; before,
// a hash-only request would pass unchecked. Every server that fills cache
// must run the extension with the same limits, or a document cached by
// another would skip them.
func NewQueryLimits(l Limits, cache graphql.Cache[*ast.QueryDocument]) *QueryLimits {
	return &QueryLimits{limits: l.withDefaults(), cache: cache}
}

// ExtensionName names the extension in gqlgen's stats.
func (q *QueryLimits) ExtensionName() string { return "QueryLimits" }

// Validate accepts any schema.
func (q *QueryLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters checks the request's query, before gqlgen's
// parse and validation.
func (q *QueryLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil // gqlgen answers "no operation provided"
	}
	if q.cache != nil {
		if _, ok := q.cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, q.limits.Tokens)
	if err != nil {
		return q.parseError(err)
	}
	return q.Check(doc, params.OperationName)
}

// parseError is the error for a document the token-limited parser refused:
// TOKEN_LIMIT_EXCEEDED for the token limit, otherwise gqlparser's error as
// gqlgen presents it.
func (q *QueryLimits) parseError(err error) *gqlerror.Error {
	gqlErr, ok := err.(*gqlerror.Error)
	if !ok {
		gqlErr = gqlerror.Wrap(err)
	}
	// gqlparser has no error type for its token limit, only this message
	// (TestTokenLimitIsToldByGqlparsersMessage pins it).
	if gqlErr.Message == fmt.Sprintf("exceeded token limit of %d", q.limits.Tokens) {
		return limitError(nil, CodeTokenLimit,
			"The document has more than %d tokens; the limit is %d.", q.limits.Tokens, q.limits.Tokens)
	}
	errcode.Set(gqlErr, errcode.ParseFailed)
	return gqlErr
}

// Check returns the first limit doc exceeds, or nil. It holds every
// operation of doc to the limits, not only operationName's: gqlgen
// validates the whole document before it picks the operation, and
// validation is part of what the limits protect. operationName's operation
// is checked first, so that its error is the one reported.
//
// Check also refuses (GRAPHQL_VALIDATION_FAILED) a fragment that spreads
// itself, directly or not, and a spread of a fragment doc does not define:
// validation would refuse both, and neither has a size.
func (q *QueryLimits) Check(doc *ast.QueryDocument, operationName string) *gqlerror.Error {
	_, err := q.check(doc, operationName)
	return err
}

// checkWork counts what one check did, for the tests' bounds on it.
type checkWork struct {
	selections int // fields, inline fragments and spreads visited in the AST
	spreads    int // spreads followed to their fragment's size
	fragments  int // fragment sizes computed
}

// check is Check, with the work it did.
func (q *QueryLimits) check(doc *ast.QueryDocument, operationName string) (checkWork, *gqlerror.Error) {
	c := newLimitChecker(doc)
	if err := c.sizeFragments(); err != nil {
		return c.work, err
	}
	l := q.limits
	total := 0 // the document's fields
	for _, s := range c.expanded {
		total = satAdd(total, s.fields)
	}
	for _, i := range operationOrder(doc.Operations, operationName) {
		op := doc.Operations[i]
		s, err := c.expand(len(doc.Fragments) + i)
		if err != nil {
			return c.work, err
		}
		total = satAdd(total, s.fields)
		switch {
		case op.Operation == ast.Mutation && s.top > l.RootMutations:
			return c.work, limitError(op.Position, CodeMutationLimit,
				"The mutation has %s root fields after fragment expansion; the limit is %d: send the others in another request.",
				countText(s.top), l.RootMutations)
		case s.introspection > l.IntrospectionRoots:
			return c.work, limitError(op.Position, CodeIntrospectionLimit,
				"The operation has %s __schema or __type fields; the limit is %d.", countText(s.introspection), l.IntrospectionRoots)
		case s.depth > l.Depth:
			return c.work, limitError(op.Position, CodeDepthLimit,
				"The operation nests fields %s deep after fragment expansion; the limit is %d.", countText(s.depth), l.Depth)
		case s.aliases > l.Aliases:
			return c.work, limitError(op.Position, CodeAliasLimit,
				"The operation has %s aliased fields after fragment expansion; the limit is %d.", countText(s.aliases), l.Aliases)
		case s.fields > l.Fields:
			return c.work, limitError(op.Position, CodeFieldLimit,
				"The operation selects %s fields after fragment expansion; the limit is %d.", countText(s.fields), l.Fields)
		}
	}
	if total > l.Fields {
		return c.work, limitError(nil, CodeFieldLimit,
			"The document selects %s fields after fragment expansion, counting each fragment definition on its own besides where it is spread; the limit is %d.",
			countText(total), l.Fields)
	}
	return c.work, nil
}

// operationOrder lists the indexes of ops, the one named name first.
func operationOrder(ops ast.OperationList, name string) []int {
	order := make([]int, 0, len(ops))
	first := -1
	if name != "" {
		for i, op := range ops {
			if op.Name == name {
				first = i
				order = append(order, i)
				break
			}
		}
	}
	for i := range ops {
		if i != first {
			order = append(order, i)
		}
	}
	return order
}

// docSize is what a selection set holds, alone (its spreads aside) or with
// its fragment spreads expanded. Every count saturates at math.MaxInt: a
// fragment spread twice in each of n nested fragments holds 2^n fields.
// (Not at the limit: an error can then say how much it found.)
type docSize struct {
	fields        int
	aliases       int
	introspection int // __schema and __type fields, at any depth
	depth         int // fields on the longest path down; 0 when empty
	top           int // fields at the top level, through fragments
}

// spreadRef is one fragment spread of a definition.
type spreadRef struct {
	fragment int // index into the document's fragments; -1 for none
	depth    int // fields between the definition's top and the spread
	pos      *ast.Position
}

// limitChecker sizes the definitions of one document: fragments are definitions
// 0 to len(Fragments)-1, operations follow.
type limitChecker struct {
	doc      *ast.QueryDocument
	alone    []docSize   // each definition's size, its spreads aside
	spreads  []spreadRef // every definition's spreads, definition by definition
	spreadTo []int       // definition i's spreads end at spreads[spreadTo[i]]
	expanded []docSize   // each fragment's size with its spreads expanded
	work     checkWork
}

// newLimitChecker walks every definition of doc once, without following spreads.
func newLimitChecker(doc *ast.QueryDocument) *limitChecker {
	n := len(doc.Fragments) + len(doc.Operations)
	c := &limitChecker{
		doc:      doc,
		alone:    make([]docSize, 0, n),
		spreadTo: make([]int, 0, n),
		expanded: make([]docSize, len(doc.Fragments)),
	}
	index := make(map[string]int, len(doc.Fragments))
	for i, f := range doc.Fragments {
		if _, ok := index[f.Name]; !ok { // the first of duplicate names, as gqlparser
			index[f.Name] = i
		}
	}
	var stack []walkLevel
	for _, f := range doc.Fragments {
		stack = c.walk(f.SelectionSet, index, stack)
	}
	for _, op := range doc.Operations {
		stack = c.walk(op.SelectionSet, index, stack)
	}
	return c
}

// walkLevel is a selection set waiting in walk's stack, with its depth.
type walkLevel struct {
	set   ast.SelectionSet
	depth int
}

// walk appends the size of one definition's selection set, its spreads
// aside, and its spreads. It keeps its own stack, so that no document nests
// it into a stack overflow; stack is handed back for reuse.
func (c *limitChecker) walk(set ast.SelectionSet, index map[string]int, stack []walkLevel) []walkLevel {
	var s docSize
	stack = append(stack[:0], walkLevel{set, 0})
	for len(stack) > 0 {
		lv := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, sel := range lv.set {
			c.work.selections++
			switch sel := sel.(type) {
			case *ast.Field:
				// The AST is finite: these counts cannot overflow.
				s.fields++
				if sel.Alias != "" && sel.Alias != sel.Name {
					s.aliases++
				}
				if sel.Name == "__schema" || sel.Name == "__type" {
					s.introspection++
				}
				if lv.depth == 0 {
					s.top++
				}
				s.depth = max(s.depth, lv.depth+1)
				if len(sel.SelectionSet) > 0 {
					stack = append(stack, walkLevel{sel.SelectionSet, lv.depth + 1})
				}
			case *ast.InlineFragment:
				stack = append(stack, walkLevel{sel.SelectionSet, lv.depth})
			case *ast.FragmentSpread:
				i, ok := index[sel.Name]
				if !ok {
					i = -1
				}
				c.spreads = append(c.spreads, spreadRef{fragment: i, depth: lv.depth, pos: sel.Position})
			}
		}
	}
	c.alone = append(c.alone, s)
	c.spreadTo = append(c.spreadTo, len(c.spreads))
	return stack
}

// spreadsOf returns definition i's spreads.
func (c *limitChecker) spreadsOf(i int) []spreadRef {
	from := 0
	if i > 0 {
		from = c.spreadTo[i-1]
	}
	return c.spreads[from:c.spreadTo[i]]
}

// sizeFragments computes every fragment's expanded size, each once, the
// fragments it spreads first: a depth-first walk of the spread graph with
// its own stack, which finds cycles and unknown fragments on the way.
func (c *limitChecker) sizeFragments() *gqlerror.Error {
	const (
		unvisited = iota
		inProgress
		done
	)
	state := make([]uint8, len(c.doc.Fragments))
	type visit struct{ fragment, next int }
	var stack []visit
	for root := range c.doc.Fragments {
		if state[root] != unvisited {
			continue
		}
		state[root] = inProgress
		stack = append(stack[:0], visit{root, 0})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if refs := c.spreadsOf(top.fragment); top.next < len(refs) {
				r := refs[top.next]
				top.next++
				c.work.spreads++
				switch {
				case r.fragment < 0:
					return unknownFragment(r.pos)
				case state[r.fragment] == inProgress:
					return fragmentCycle(r.pos)
				case state[r.fragment] == unvisited:
					state[r.fragment] = inProgress
					stack = append(stack, visit{r.fragment, 0})
				}
				continue
			}
			c.expanded[top.fragment], _ = c.expand(top.fragment) // its spreads are sized
			c.work.fragments++
			state[top.fragment] = done
			stack = stack[:len(stack)-1]
		}
	}
	return nil
}

// expand returns definition i's size with its spreads expanded; the
// fragments it spreads must be sized.
func (c *limitChecker) expand(i int) (docSize, *gqlerror.Error) {
	s := c.alone[i]
	for _, r := range c.spreadsOf(i) {
		c.work.spreads++
		if r.fragment < 0 {
			return s, unknownFragment(r.pos)
		}
		f := c.expanded[r.fragment]
		s.fields = satAdd(s.fields, f.fields)
		s.aliases = satAdd(s.aliases, f.aliases)
		s.introspection = satAdd(s.introspection, f.introspection)
		if f.depth > 0 {
			s.depth = max(s.depth, satAdd(r.depth, f.depth))
		}
		if r.depth == 0 {
			s.top = satAdd(s.top, f.top)
		}
	}
	return s, nil
}

// satAdd adds two counts of at most math.MaxInt, saturating there.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// count writes a count for an error message; a saturated one is a bound.
func countText(n int) string {
	if n == math.MaxInt {
		return fmt.Sprintf("more than %d", math.MaxInt-1)
	}
	return fmt.Sprintf("%d", n)
}

// limitError is a limit's error, at pos when there is one. Its message
// never quotes the document, whose names can be any length.
func limitError(pos *ast.Position, code Code, format string, args ...any) *gqlerror.Error {
	var err *gqlerror.Error
	if pos != nil {
		err = gqlerror.ErrorPosf(pos, format, args...)
	} else {
		err = gqlerror.Errorf(format, args...)
	}
	err.Extensions = map[string]any{"code": string(code)}
	return err
}

func unknownFragment(pos *ast.Position) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, "The document spreads a fragment it does not define.")
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

func fragmentCycle(pos *ast.Position) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, "A fragment spreads itself, directly or through other fragments.")
	errcode.Set(err, errcode.ValidationFailed)
	return err
}
