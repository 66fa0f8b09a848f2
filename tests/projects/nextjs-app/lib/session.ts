// Only the account menu imports this module: it logs to the user's own console.
export function debugSession(session: { accessToken: string }) {
  console.log("session token", session.accessToken);
}
