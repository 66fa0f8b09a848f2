export * from "./reports";
export { byOwner as usersByOwner } from "./users";
