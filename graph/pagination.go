package graph

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/idgraph/idgraph/graph/model"
	"github.com/idgraph/idgraph/internal/identity"
)

// This file maps Relay's connection arguments onto Stripe's list API:
// after → starting_after, before → ending_before, first/last → limit.

const (
	// defaultPageSize is the page size when neither first nor last is given.
	defaultPageSize = 10
	// maxPageSize is Stripe's limit on a list page.
	maxPageSize = 100
)

// cursorPrefix makes cursors opaque and versioned: clients must not build
// them, and idgraph can change what is inside.
const cursorPrefix = "session:"

// pageArgs are a connection's arguments.
type pageArgs struct {
	first, last   *int
	after, before *string
}

// backward tells whether the page is read with last/before.
func (a pageArgs) backward() bool { return a.last != nil || a.before != nil }

// listParams validates the arguments and builds Stripe's list params.
func listParams(a pageArgs, filter *model.VerificationSessionFilter) (*stripe.IdentityVerificationSessionListParams, error) {
	p := &stripe.IdentityVerificationSessionListParams{}
	switch {
	case a.first != nil && a.last != nil:
		return nil, badInput([]string{"first"}, "Give first or last, not both.")
	case a.after != nil && a.before != nil:
		return nil, badInput([]string{"after"}, "Give after or before, not both: Stripe pages from one cursor.")
	case a.first != nil && a.before != nil:
		return nil, badInput([]string{"first"}, "Page backward with last and before, forward with first and after.")
	case a.last != nil && a.before == nil:
		return nil, badInput([]string{"last"}, "last needs a before cursor: Stripe cannot list from the oldest session.")
	}
	size, name := a.first, "first"
	if a.last != nil {
		size, name = a.last, "last"
	}
	if size == nil {
		p.Limit = stripe.Int64(defaultPageSize)
	} else if *size < 1 || *size > maxPageSize {
		return nil, badInput([]string{name}, name+" must be between 1 and 100.")
	} else {
		p.Limit = stripe.Int64(int64(*size))
	}
	if a.after != nil {
		id, err := decodeCursor("after", *a.after)
		if err != nil {
			return nil, err
		}
		p.StartingAfter = &id
	}
	if a.before != nil {
		id, err := decodeCursor("before", *a.before)
		if err != nil {
			return nil, err
		}
		p.EndingBefore = &id
	}
	return p, applyFilter(p, filter)
}

func applyFilter(p *stripe.IdentityVerificationSessionListParams, f *model.VerificationSessionFilter) error {
	if f == nil {
		return nil
	}
	p.ClientReferenceID = f.ClientReferenceID
	p.RelatedCustomer = f.RelatedCustomer
	p.RelatedCustomerAccount = f.RelatedCustomerAccount
	if f.Status != nil {
		if *f.Status == model.VerificationSessionStatusUnknown {
			return badInput([]string{"filter", "status"}, "UNKNOWN is never a session's status to filter on.")
		}
		p.Status = stripe.String(enumToStripe(*f.Status))
	}
	if c := f.Created; c != nil {
		// Stripe compares whole seconds; created times are whole seconds, so
		// rounding each bound the right way keeps its meaning exact. The
		// bounds go in as filters, not stripe-go's RangeQueryParams, whose
		// encoder drops a bound of 0 (the epoch) and so would widen the query.
		bound := func(op string, t *time.Time, round func(time.Time) int64) {
			if t != nil {
				p.Filters.AddFilter("created", op, strconv.FormatInt(round(*t), 10))
			}
		}
		bound("gt", c.Gt, floorUnix)
		bound("gte", c.Gte, ceilUnix)
		bound("lt", c.Lt, ceilUnix)
		bound("lte", c.Lte, floorUnix)
	}
	return nil
}

func floorUnix(t time.Time) int64 { return t.Unix() }

func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// connection builds the Relay connection of one Stripe page. Stripe's page
// is in list order (newest first) whichever way it was read; has_more
// speaks of the direction of reading, and a cursor proves that its session
// lies on the other side of the page. sessions are the page's sessions,
// converted.
func connection(a pageArgs, page identity.Page, sessions []*model.VerificationSession) *model.VerificationSessionConnection {
	c := &model.VerificationSessionConnection{
		Edges: make([]model.VerificationSessionEdge, len(sessions)),
		Nodes: make([]model.VerificationSession, len(sessions)),
	}
	for i, node := range sessions {
		c.Nodes[i] = *node
		c.Edges[i] = model.VerificationSessionEdge{Cursor: encodeCursor(node.ID), Node: node}
	}
	if a.backward() {
		c.PageInfo = &model.PageInfo{HasPreviousPage: page.HasMore, HasNextPage: a.before != nil}
	} else {
		c.PageInfo = &model.PageInfo{HasNextPage: page.HasMore, HasPreviousPage: a.after != nil}
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[n-1].Cursor
	}
	return c
}

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(arg, cursor string) (string, error) {
	bad := badInput([]string{arg}, "The "+arg+" cursor is not one idgraph gave out; use an edge cursor, startCursor or endCursor.")
	if len(cursor) > 2*maxIDLen {
		return "", bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", bad
	}
	id, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok || checkSessionID(nil, id) != nil {
		return "", bad
	}
	return id, nil
}

// pageComplexity is the number of sessions a connection can return, for the
// complexity limit.
func pageComplexity(first, last *int) int {
	n := defaultPageSize
	for _, v := range []*int{first, last} {
		if v != nil && *v > 0 {
			n = min(*v, maxPageSize)
		}
	}
	return n
}
