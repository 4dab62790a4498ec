// Who is signed in: the end user's token, kept for this browser tab only
// (sessionStorage), so two tabs can be two users. The app never verifies
// the token (idgraph does); it only reads its claims to say who is signed in.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

export interface SignIn {
  token: string;
  user: string;
  scopes: string[];
}

const storageKey = "idgraph-example.sign-in";

/** Claims of a JWT, read without verifying it, or null if it is not one. */
function readClaims(token: string): { sub?: unknown; scope?: unknown; scp?: unknown } | null {
  const payload = token.split(".")[1];
  if (payload === undefined) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null ? claims : null;
  } catch {
    return null;
  }
}

/** signInWithToken describes a pasted token: its user and scopes, as far as the token says. */
export function signInWithToken(token: string): SignIn {
  const claims = readClaims(token);
  const user = typeof claims?.sub === "string" ? claims.sub : "(a server key or an opaque token)";
  const scope = claims?.scope ?? claims?.scp;
  const scopes = typeof scope === "string" ? scope.split(" ").filter(Boolean) : Array.isArray(scope) ? scope.filter((s): s is string => typeof s === "string") : [];
  return { token, user, scopes };
}

function load(): SignIn | null {
  const raw = sessionStorage.getItem(storageKey);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<SignIn>;
    return typeof v.token === "string" && typeof v.user === "string" && Array.isArray(v.scopes)
      ? { token: v.token, user: v.user, scopes: v.scopes }
      : null;
  } catch {
    return null;
  }
}

interface Auth {
  signIn: SignIn | null;
  /** Why the last sign-in ended, when it was not the user's choice (an expired token). */
  endedBecause: string | null;
  start(s: SignIn): void;
  end(reason?: string): void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [signIn, setSignIn] = useState<SignIn | null>(load);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);
  const start = useCallback((s: SignIn) => {
    sessionStorage.setItem(storageKey, JSON.stringify(s));
    setEndedBecause(null);
    setSignIn(s);
  }, []);
  const end = useCallback((reason?: string) => {
    sessionStorage.removeItem(storageKey);
    setEndedBecause(reason ?? null);
    setSignIn(null);
  }, []);
  const value = useMemo(() => ({ signIn, endedBecause, start, end }), [signIn, endedBecause, start, end]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error("useAuth outside AuthProvider");
  return auth;
}

/** signedIn is the current sign-in, for components shown only when there is one. */
export function useSignIn(): SignIn {
  const { signIn } = useAuth();
  if (signIn === null) throw new Error("useSignIn while signed out");
  return signIn;
}
