import { Suspense } from "react";
import { loadStats } from "@/lib/stats";

export default async function Dashboard() {
  const stats = await loadStats();
  return <Suspense fallback={null}><pre>{JSON.stringify(stats)}</pre></Suspense>;
}
