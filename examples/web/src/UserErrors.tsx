import type { CreateSessionMutation } from "./gql/graphql";

/** A userError as every payload selects it (the same fields in each mutation). */
type Shown = CreateSessionMutation["createVerificationSession"]["userErrors"][number];

/**
 * UserErrors shows a mutation payload's userErrors for one input field
 * (field: the path, e.g. ["id"]), or, without field, those that name no
 * field of the given ones.
 */
export function UserErrors({ errors, field, others }: { errors: Shown[]; field?: string[]; others?: string[][] }) {
  const key = (path: readonly string[] | null | undefined) => (path ?? []).join(".");
  const shown = errors.filter((e) =>
    field !== undefined ? key(e.field) === key(field) : !(others ?? []).some((o) => key(o) === key(e.field)),
  );
  if (shown.length === 0) return null;
  return (
    <ul className="user-errors" role="alert">
      {shown.map((e, i) => (
        <li key={i} data-code={e.code} data-field={key(e.field)}>
          {e.message}
        </li>
      ))}
    </ul>
  );
}
