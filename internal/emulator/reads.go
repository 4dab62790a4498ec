package emulator

import "context"

// readContext is ctx without its cancellation, for the point reads of the
// hot paths (a session or report by its primary key, for a retrieve or the
// hosted page). Given a context that can end, modernc's driver starts a
// goroutine per statement to interrupt it, and database/sql one per Rows
// to close them; a lookup by key is over in microseconds, long before
// either could help, and both cost more than the lookup. Lists keep their
// request's context: a filtered page may scan.
func readContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
