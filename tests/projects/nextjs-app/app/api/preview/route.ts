import { NextRequest, NextResponse } from "next/server";
import { fetchPage, fetchRepository } from "@/lib/fetcher";

export async function GET(request: NextRequest) {
  const target = request.nextUrl.searchParams.get("url") ?? "";
  const page = await fetchPage(target);
  const repository = await fetchRepository(request.nextUrl.searchParams.get("owner") ?? "");
  return NextResponse.json({ page, repository });
}
