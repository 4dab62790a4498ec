import { useEffect, useMemo } from "react";
import { Provider } from "urql";
import { AuthProvider, useAuth, type SignIn as SignInState } from "./auth";
import { makeClient } from "./client";
import { expiredMessage } from "./errors";
import { Home } from "./Home";
import { SignIn } from "./SignIn";

export function App() {
  return (
    <AuthProvider>
      <Main />
    </AuthProvider>
  );
}

function Main() {
  const { signIn } = useAuth();
  return signIn === null ? <SignIn /> : <SignedIn signIn={signIn} />;
}

/** SignedIn gives the signed-in user's pages a client with their token. */
function SignedIn({ signIn }: { signIn: SignInState }) {
  const { end } = useAuth();
  const session = useMemo(() => makeClient(signIn.token, () => end(expiredMessage)), [signIn.token, end]);
  useEffect(() => session.dispose, [session]);
  return (
    <Provider value={session.client}>
      <Home />
    </Provider>
  );
}
