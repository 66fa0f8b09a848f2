import { useEffect } from "react";
import { debugSession } from "../lib/session";

export function AccountMenu({ session }: { session: { accessToken: string } }) {
  useEffect(() => debugSession(session), [session]);
  return <nav>account</nav>;
}
